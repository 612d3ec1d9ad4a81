# Typical beginner mistakes in 10 CNN advanced, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% inception | fails: test_inception, test_inception_net, test_inception_accuracy | says: padding is missing
class InceptionA(nn.Module):
    # no padding in the 5x5 and 3x3 convolutions: the branches come out smaller and torch.cat fails
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5)
        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([branch1x1, branch5x5, branch3x3, branch_pool], dim=1)

# %% residual | fails: test_residual | says: apply the ReLU after adding the shortcut
class ResidualBlock(nn.Module):
    # the ReLU comes before the shortcut is added: x + relu(F(x))
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = F.relu(self.conv2(y))
        return x + y

# %% resnet | fails: test_resnet, test_resnet_accuracy | says: Look at the size
class ResNet(nn.Module):
    # the second residual block is built for 16 channels, but conv2 outputs 32
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(16)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = self.rblock1(F.relu(self.pool(self.conv1(x))))
        x = self.rblock2(F.relu(self.pool(self.conv2(x))))
        return self.fc(x.view(batch_size, -1))
