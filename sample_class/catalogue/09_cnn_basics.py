# Mistake catalogue of 09 CNN basics (issue 11): plausible beginner mistakes and correct alternatives,
# graded through the real grader.  Format: sample_class/catalogue/README.md.
# Students m1..m6 each make one mistake per exercise (m6 only in training_memory); a1, a2 write correct code differently.

# %% conv2d_by_hand | mistake: flips the kernel (textbook convolution) | fails: test_conv2d_by_hand | says: flipped the kernel | student: m1
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    c_out, c_in, kh, kw = weight.shape
    h_out = (x.shape[1] - kh) // stride + 1
    w_out = (x.shape[2] - kw) // stride + 1
    out = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        kernel = weight[o].flip(-1).flip(-2)
        for i in range(h_out):
            for j in range(w_out):
                patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[o, i, j] = (patch * kernel).sum()
        if bias is not None:
            out[o] += bias[o]
    return out

# %% conv2d_by_hand | mistake: uses only the first input channel | fails: test_conv2d_by_hand | says: only the first input channel | student: m2
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    c_out, c_in, kh, kw = weight.shape
    h_out = (x.shape[1] - kh) // stride + 1
    w_out = (x.shape[2] - kw) // stride + 1
    out = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                patch = x[0, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[o, i, j] = (patch * weight[o, 0]).sum()
        if bias is not None:
            out[o] += bias[o]
    return out

# %% conv2d_by_hand | mistake: the window does not move by the stride | fails: test_conv2d_by_hand | says: start each patch at i * stride | student: m3
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    c_out, c_in, kh, kw = weight.shape
    h_out = (x.shape[1] - kh) // stride + 1
    w_out = (x.shape[2] - kw) // stride + 1
    out = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                out[o, i, j] = (x[:, i:i + kh, j:j + kw] * weight[o]).sum()
        if bias is not None:
            out[o] += bias[o]
    return out

# %% conv2d_by_hand | mistake: forgets the bias | fails: test_conv2d_by_hand | says: the bias is missing | student: m4
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    if padding > 0:
        x = F.pad(x, (padding, padding, padding, padding))
    c_out, c_in, kh, kw = weight.shape
    h_out = (x.shape[1] - kh) // stride + 1
    w_out = (x.shape[2] - kw) // stride + 1
    out = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[o, i, j] = (patch * weight[o]).sum()
    return out

# %% conv2d_by_hand | mistake: pads only the width (F.pad with two numbers) | fails: test_conv2d_by_hand | says: pads both sides of W and H | student: m5
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    x = F.pad(x, (padding, padding))
    c_out, c_in, kh, kw = weight.shape
    h_out = (x.shape[1] - kh) // stride + 1
    w_out = (x.shape[2] - kw) // stride + 1
    out = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
                out[o, i, j] = (patch * weight[o]).sum()
        if bias is not None:
            out[o] += bias[o]
    return out

# %% conv_output_size | mistake: counts the padding once | fails: test_conv_output_size | says: padding counts twice | student: m1
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + padding - kernel_size) // stride + 1

# %% conv_output_size | mistake: ignores the stride | fails: test_conv_output_size | says: stride was ignored | student: m2
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return size + 2 * padding - kernel_size + 1

# %% conv_output_size | mistake: true division gives a float | fails: test_conv_output_size | says: return a Python int | student: m3
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size) / stride + 1

# %% conv_output_size | mistake: rounds up instead of down | fails: test_conv_output_size | says: round DOWN | student: m4
import math


def conv_output_size(size, kernel_size, stride=1, padding=0):
    return math.ceil((size + 2 * padding - kernel_size) / stride) + 1

# %% net | mistake: flattens the whole batch into one vector | fails: test_net, test_net_accuracy | says: keeping the batch | student: m1
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        x = x.view(-1)
        return self.fc(x)

# %% net | mistake: a softmax at the end of forward | fails: test_net, test_net_accuracy | says: return logits, not probabilities | student: m2
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return F.softmax(self.fc(x), dim=1)

# %% net | mistake: forgets the ReLU after the second pooling | fails: test_net | says: apply ReLU after each pooling | student: m3
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = self.pool(self.conv2(x))
        x = x.view(x.size(0), -1)
        return self.fc(x)

# %% net | mistake: an extra hidden Linear layer | fails: test_net | says: expected 8490 | student: m4
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))

# %% predict_one | mistake: no model.eval() (dropout changes the prediction) | fails: test_predict_one | says: model.eval() | student: m1
def predict_one(model, image):
    x = image.view(1, 1, 28, 28).to(next(model.parameters()).device)
    with torch.no_grad():
        return int(model(x).argmax(dim=1).item())

# %% predict_one | mistake: predicts with gradients on | fails: test_predict_one | says: under torch.no_grad() | student: m2
def predict_one(model, image):
    model.eval()
    x = image.view(1, 1, 28, 28).to(next(model.parameters()).device)
    return int(model(x).argmax(dim=1).item())

# %% predict_one | mistake: returns the index as a tensor | fails: test_predict_one | says: return a Python int | student: m3
def predict_one(model, image):
    model.eval()
    with torch.no_grad():
        return model(image.view(1, 1, 28, 28).to(next(model.parameters()).device)).argmax(dim=1)

# %% predict_one | mistake: unsqueeze(0) only, so a (28, 28) image gets no batch dimension | fails: test_predict_one | says: image.view(1, 1, 28, 28) works for both shapes | student: m4
def predict_one(model, image):
    model.eval()
    with torch.no_grad():
        logits = model(image.unsqueeze(0).to(next(model.parameters()).device))
    return int(logits.argmax(dim=1).item())

# %% predict_one | mistake: the largest logit's value instead of its index | fails: test_predict_one | says: argmax gives the index | student: m5
def predict_one(model, image):
    model.eval()
    with torch.no_grad():
        logits = model(image.view(1, 1, 28, 28).to(next(model.parameters()).device))
    return int(logits.max().item())

# %% deeper_net | mistake: guesses the flattened size (40 * 5 * 5) | fails: test_deeper_net | says: look at the size | student: m1
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3)
        self.conv3 = nn.Conv2d(20, 40, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(40 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = F.relu(self.pool(self.conv3(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

# %% deeper_net | mistake: defines conv3 but never uses it | fails: test_deeper_net | says: not used in forward | student: m2
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3)
        self.conv3 = nn.Conv2d(20, 40, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(20 * 5 * 5, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

# %% deeper_net | mistake: a softmax at the end | fails: test_deeper_net | says: not probabilities | student: m3
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3)
        self.conv3 = nn.Conv2d(20, 40, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(640, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = F.relu(self.pool(self.conv3(x)))
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return torch.softmax(self.fc3(x), dim=1)

# %% deeper_net | mistake: only two linear layers | fails: test_deeper_net | says: expected 3 and 3 | student: m4
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=3)
        self.conv3 = nn.Conv2d(20, 40, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(640, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.conv2(x))
        x = F.relu(self.pool(self.conv3(x)))
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))

# %% conv2d_by_hand | alternative: six nested loops over scalars | student: a1
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    padded = torch.zeros(c_in, h + 2 * padding, w + 2 * padding)
    padded[:, padding:padding + h, padding:padding + w] = x
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    out = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                s = 0.0 if bias is None else float(bias[o])
                for c in range(c_in):
                    for u in range(kh):
                        for v in range(kw):
                            s += float(weight[o, c, u, v]) * float(padded[c, i * stride + u, j * stride + v])
                out[o, i, j] = s
    return out

# %% conv2d_by_hand | alternative: numpy, tensordot over each patch, float64 result | student: a2
def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    xn = np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (padding, padding), (padding, padding)))
    wn = np.asarray(weight, dtype=np.float64)
    kh, kw = wn.shape[2], wn.shape[3]
    h_out = (xn.shape[1] - kh) // stride + 1
    w_out = (xn.shape[2] - kw) // stride + 1
    out = np.zeros((wn.shape[0], h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            patch = xn[:, i * stride:i * stride + kh, j * stride:j * stride + kw]
            out[:, i, j] = np.tensordot(wn, patch, axes=([1, 2, 3], [0, 1, 2]))
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64).reshape(-1, 1, 1)
    return torch.from_numpy(out)

# %% conv_output_size | alternative: math.floor of a true division | student: a1
import math


def conv_output_size(size, kernel_size, stride=1, padding=0):
    return math.floor((size + 2 * padding - kernel_size) / stride) + 1

# %% conv_output_size | alternative: count the window positions with a loop | student: a2
def conv_output_size(size, kernel_size, stride=1, padding=0):
    count, start = 0, 0
    while start + kernel_size <= size + 2 * padding:
        count += 1
        start += stride
    return count

# %% net | alternative: layers created in another order, ReLU before pooling, F.max_pool2d, x.view(-1, 320) | student: a1
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(320, 10)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.conv1 = nn.Conv2d(1, 10, 5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.view(-1, 320))

# %% net | alternative: nn.Sequential blocks with nn.Flatten | student: a2
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 10, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(10, 20, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(320, 10))

    def forward(self, x):
        return self.classifier(self.features(x))

# %% predict_one | alternative: reshape to (1, 1, H, W), course.device(), torch.argmax | student: a1
def predict_one(model, image):
    model.eval()
    batch = image.reshape(1, 1, 28, 28).to(course.device())
    with torch.no_grad():
        scores = model(batch)
    return torch.argmax(scores, dim=1).item()

# %% predict_one | alternative: unsqueeze until 4-D, np.argmax | student: a2
def predict_one(model, image):
    device = next(model.parameters()).device
    x = image
    while x.dim() < 4:
        x = x.unsqueeze(0)
    model.eval()
    with torch.inference_mode():
        logits = model(x.to(device)).cpu().numpy()
    return int(np.argmax(logits[0]))

# %% deeper_net | alternative: nn.Sequential, padded 3x3 convolutions | student: a1
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 28 -> 14
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),     # 14 -> 7
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(),                    # 7 -> 7
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 100), nn.ReLU(),
            nn.Linear(100, 50), nn.ReLU(),
            nn.Linear(50, 10),
        )

    def forward(self, x):
        return self.net(x)

# %% deeper_net | alternative: the flattened size computed from a dummy batch | student: a2
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 3), nn.Conv2d(20, 40, 3)])
        with torch.no_grad():
            n = self.features(torch.zeros(1, 1, 28, 28)).shape[1]
        self.fcs = nn.ModuleList([nn.Linear(n, 128), nn.Linear(128, 64), nn.Linear(64, 10)])

    def features(self, x):
        x = F.relu(F.max_pool2d(self.convs[0](x), 2))
        x = F.relu(self.convs[1](x))
        x = F.relu(F.max_pool2d(self.convs[2](x), 2))
        return torch.flatten(x, 1)

    def forward(self, x):
        x = self.features(x)
        x = F.relu(self.fcs[0](x))
        x = F.relu(self.fcs[1](x))
        return self.fcs[2](x)

# %% training_memory | mistake: counts elements, not bytes (numel without element_size) | fails: test_training_memory | says: counted elements, not bytes | student: m1
def training_memory(model, input_shape, batch_size):
    params = list(model.parameters())
    sizes = []
    handles = [m.register_forward_hook(lambda mod, inp, out: sizes.append(out.numel()))
               for m in model.modules() if len(list(m.children())) == 0]
    with torch.no_grad():
        model(torch.zeros(batch_size, *input_shape, dtype=params[0].dtype))
    for h in handles:
        h.remove()
    return {"parameters": sum(p.numel() for p in params),
            "gradients": sum(p.numel() for p in params if p.requires_grad),
            "activations": sum(sizes)}

# %% training_memory | mistake: forgets the batch size (a forward pass of one input) | fails: test_training_memory | says: forgot the batch size | student: m2
def training_memory(model, input_shape, batch_size):
    params = list(model.parameters())
    sizes = []
    handles = [m.register_forward_hook(lambda mod, inp, out: sizes.append(out.numel() * out.element_size()))
               for m in model.modules() if len(list(m.children())) == 0]
    with torch.no_grad():
        model(torch.zeros(1, *input_shape, dtype=params[0].dtype))
    for h in handles:
        h.remove()
    return {"parameters": sum(p.numel() * p.element_size() for p in params),
            "gradients": sum(p.numel() * p.element_size() for p in params if p.requires_grad),
            "activations": sum(sizes)}

# %% training_memory | mistake: hooks every module, containers and the model too | fails: test_training_memory | says: counted containers' outputs twice | student: m3
def training_memory(model, input_shape, batch_size):
    params = list(model.parameters())
    sizes = []
    handles = [m.register_forward_hook(lambda mod, inp, out: sizes.append(out.numel() * out.element_size()))
               for m in model.modules()]
    with torch.no_grad():
        model(torch.zeros(batch_size, *input_shape, dtype=params[0].dtype))
    for h in handles:
        h.remove()
    return {"parameters": sum(p.numel() * p.element_size() for p in params),
            "gradients": sum(p.numel() * p.element_size() for p in params if p.requires_grad),
            "activations": sum(sizes)}

# %% training_memory | mistake: counts a gradient for the frozen parameters too | fails: test_training_memory | says: counted frozen parameters' gradients | student: m4
def training_memory(model, input_shape, batch_size):
    params = list(model.parameters())
    param_bytes = sum(p.numel() * p.element_size() for p in params)
    sizes = []
    handles = [m.register_forward_hook(lambda mod, inp, out: sizes.append(out.numel() * out.element_size()))
               for m in model.modules() if len(list(m.children())) == 0]
    with torch.no_grad():
        model(torch.zeros(batch_size, *input_shape, dtype=params[0].dtype))
    for h in handles:
        h.remove()
    return {"parameters": param_bytes, "gradients": param_bytes, "activations": sum(sizes)}

# %% training_memory | mistake: 4 bytes per number whatever the dtype (wrong for float64) | fails: test_training_memory | says: used 4 bytes for float64 | student: m5
def training_memory(model, input_shape, batch_size):
    params = list(model.parameters())
    sizes = []
    handles = [m.register_forward_hook(lambda mod, inp, out: sizes.append(out.numel() * 4))
               for m in model.modules() if len(list(m.children())) == 0]
    with torch.no_grad():
        model(torch.zeros(batch_size, *input_shape, dtype=params[0].dtype))
    for h in handles:
        h.remove()
    return {"parameters": sum(p.numel() * 4 for p in params),
            "gradients": sum(p.numel() * 4 for p in params if p.requires_grad),
            "activations": sum(sizes)}

# %% training_memory | mistake: counts only the model's output (the last layer) | fails: test_training_memory | says: counted only the last layer | student: m6
def training_memory(model, input_shape, batch_size):
    params = list(model.parameters())
    with torch.no_grad():
        out = model(torch.zeros(batch_size, *input_shape, dtype=params[0].dtype))
    return {"parameters": sum(p.numel() * p.element_size() for p in params),
            "gradients": sum(p.numel() * p.element_size() for p in params if p.requires_grad),
            "activations": out.numel() * out.element_size()}

# %% training_memory | alternative: a loop, p.nbytes, a hook that adds into a dict, forward without no_grad, named_modules | student: a1
def training_memory(model, input_shape, batch_size):
    counts = {"parameters": 0, "gradients": 0, "activations": 0}
    dtype, device = None, None
    for p in model.parameters():
        counts["parameters"] += p.nbytes
        if p.requires_grad:
            counts["gradients"] += p.nbytes
        dtype, device = p.dtype, p.device

    def add(module, inputs, output):
        counts["activations"] += output.nbytes

    handles = []
    for name, m in model.named_modules():
        if not any(True for _ in m.children()):
            handles.append(m.register_forward_hook(add))
    x = torch.zeros((batch_size,) + tuple(input_shape), dtype=dtype, device=device)
    out = model(x)
    del out
    for h in handles:
        h.remove()
    return counts

# %% training_memory | alternative: a deep copy on the meta device (shapes only, no data), untyped_storage().nbytes(), numpy product of the shape | student: a2
import copy


def training_memory(model, input_shape, batch_size):
    parameters = sum(p.untyped_storage().nbytes() for p in model.parameters())
    gradients = sum(p.untyped_storage().nbytes() for p in model.parameters() if p.requires_grad)
    shadow = copy.deepcopy(model).to("meta")
    dtype = next(model.parameters()).dtype
    shapes = []
    leaves = [m for m in shadow.modules() if list(m.children()) == []]
    handles = [m.register_forward_hook(lambda mod, inp, out: shapes.append((tuple(out.shape), out.element_size())))
               for m in leaves]
    with torch.inference_mode():
        shadow(torch.zeros(batch_size, *input_shape, dtype=dtype, device="meta"))
    for h in handles:
        h.remove()
    activations = sum(int(np.prod(shape)) * size for shape, size in shapes)
    return {"parameters": int(parameters), "gradients": int(gradients), "activations": int(activations)}

# %% optimize_input | mistake: steps down the gradient (the target's logit falls) | fails: test_optimize_input | says: went DOWN the gradient | student: m1
def optimize_input(model, target, steps, lr):
    x = torch.zeros(1, 1, 28, 28, requires_grad=True)
    for _ in range(steps):
        score = model(x)[0, target]
        grad, = torch.autograd.grad(score, x)
        with torch.no_grad():
            x -= lr * grad
    return x.detach()

# %% optimize_input | mistake: never zeroes x.grad, so the gradients accumulate | fails: test_optimize_input | says: accumulated over the steps | student: m2
def optimize_input(model, target, steps, lr):
    x = torch.zeros(1, 1, 28, 28, requires_grad=True)
    for _ in range(steps):
        model(x)[0, target].backward()
        with torch.no_grad():
            x += lr * x.grad
    return x.detach()

# %% optimize_input | mistake: raises the log-probability instead of the logit | fails: test_optimize_input | says: not the raw logit | student: m3
def optimize_input(model, target, steps, lr):
    x = torch.zeros(1, 1, 28, 28, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), torch.tensor([target]))
        loss.backward()
        optimizer.step()
    return x.detach()

# %% optimize_input | mistake: the optimizer gets the model's parameters too, so the weights move | fails: test_optimize_input | says: optimise the input only | student: m4
def optimize_input(model, target, steps, lr):
    x = torch.zeros(1, 1, 28, 28, requires_grad=True)
    optimizer = torch.optim.SGD([x] + list(model.parameters()), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        (-model(x)[0, target]).backward()
        optimizer.step()
    return x.detach()

# %% optimize_input | mistake: returns the image still attached to the graph | fails: test_optimize_input | says: detached from the graph | student: m5
def optimize_input(model, target, steps, lr):
    x = torch.zeros(1, 1, 28, 28, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        (-model(x)[0, target]).backward()
        optimizer.step()
    return x

# %% optimize_input | alternative: torch.optim.SGD on minus the logit, in the parameters' dtype and device | student: a1
def optimize_input(model, target, steps, lr):
    w = next(model.parameters())
    image = torch.zeros((1, 1, 28, 28), dtype=w.dtype, device=w.device).requires_grad_()
    opt = torch.optim.SGD([image], lr=lr)
    for step in range(steps):
        opt.zero_grad()
        loss = -model(image)[:, target].sum()
        loss.backward()
        opt.step()
    return image.detach().clone()

# %% optimize_input | alternative: backward, a manual step and x.grad.zero_(), a new tensor each step | student: a2
def optimize_input(model, target, steps, lr):
    ref = list(model.parameters())[0]
    x = torch.zeros(1, 1, 28, 28).to(ref)
    for _ in range(steps):
        x = x.detach().requires_grad_(True)
        logits = model(x)
        logits[0, target].backward()
        x = x + lr * x.grad
    return x.detach()
