# Typical beginner mistakes in 09 CNN basics, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% conv_output_size | fails: test_conv_output_size | says: Off by one
def conv_output_size(size, kernel_size, stride=1, padding=0):
    # forgets the + 1: the first position of the kernel is not counted
    return (size + 2 * padding - kernel_size) // stride

# %% net | fails: test_net, test_net_accuracy | says: 320
class Net(nn.Module):
    # flatten size guessed as 20 * 5 * 5 instead of looking at the size (20 * 4 * 4 = 320)
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(20 * 5 * 5, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return self.fc(x)

# %% predict_one | fails: test_predict_one | says: add the batch dimension
def predict_one(model, image):
    # feeds the single image without a batch dimension
    model.eval()
    with torch.no_grad():
        logits = model(image.to(course.device()))
    return int(logits.argmax())
