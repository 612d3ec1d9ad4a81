# Mistake catalogue of 10 CNN advanced (issue 11): plausible beginner mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md.

# %% conv_multiplications | mistake: input channels left out of the count | fails: test_conv_multiplications | says: left out the input channels | student: m10-g1
def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    # one multiplication per kernel weight and output value, forgetting that a kernel spans all input channels
    return kernel_size * kernel_size * out_channels * out_height * out_width

# %% conv_multiplications | mistake: kernel size not squared | fails: test_conv_multiplications | says: square the kernel size | student: m10-g2
def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    return in_channels * kernel_size * out_channels * out_height * out_width

# %% conv_multiplications | mistake: math.pow returns a float | fails: test_conv_multiplications | says: return a Python int | student: m10-g3
import math

def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    return in_channels * math.pow(kernel_size, 2) * out_channels * out_height * out_width

# %% conv_multiplications | mistake: the height used twice (square outputs assumed) | fails: test_conv_multiplications | says: you used the height twice | student: m10-g4
def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    positions = out_height ** 2
    return in_channels * kernel_size ** 2 * out_channels * positions

# %% conv_multiplications | alternative: per output value, then times the number of outputs | student: a10-1
def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    per_output_value = in_channels * kernel_size ** 2
    output_values = out_channels * out_height * out_width
    return per_output_value * output_values

# %% conv_multiplications | alternative: numpy product of the factors | student: a10-2
def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    return int(np.prod([in_channels, kernel_size, kernel_size, out_channels, out_height, out_width], dtype=np.int64))

# %% inception | mistake: branches concatenated on dim 0 | fails: test_inception, test_inception_net, test_inception_accuracy | says: concatenate the branches on the channel dimension | student: m10-g1
class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([branch1x1, branch5x5, branch3x3, branch_pool])

# %% inception | mistake: branches concatenated in the order of an older drawing (pool first) | fails: test_inception | says: put the pool branch last | student: m10-g2
class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

    def forward(self, x):
        pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        return torch.cat([pool, b1, b5, b3], dim=1)

# %% inception | mistake: max pooling in the pool branch | fails: test_inception | says: use average pooling | student: m10-g3
class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.max_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([branch1x1, branch5x5, branch3x3, branch_pool], dim=1)

# %% inception | mistake: input channels hard-coded to 10 | fails: test_inception, test_inception_net, test_inception_accuracy | says: do not hard-code | student: m10-g4
class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = nn.Conv2d(10, 16, kernel_size=1)
        self.branch5x5_1 = nn.Conv2d(10, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
        self.branch3x3_1 = nn.Conv2d(10, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
        self.branch_pool = nn.Conv2d(10, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
        branch_pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([branch1x1, branch5x5, branch3x3, branch_pool], dim=1)

# %% inception | alternative: nn.Sequential branches and nn.AvgPool2d | student: a10-1
class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.b1 = nn.Conv2d(in_channels, 16, 1)
        self.b5 = nn.Sequential(nn.Conv2d(in_channels, 16, 1), nn.Conv2d(16, 24, 5, padding=2))
        self.b3 = nn.Sequential(nn.Conv2d(in_channels, 16, 1), nn.Conv2d(16, 24, 3, padding=1),
                                nn.Conv2d(24, 24, 3, padding=1))
        self.bp = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), nn.Conv2d(in_channels, 24, 1))

    def forward(self, x):
        outputs = [self.b1(x), self.b5(x), self.b3(x), self.bp(x)]
        return torch.cat(outputs, dim=1)

# %% inception | alternative: layers created in another order, a ModuleList of branches | student: a10-2
class InceptionA(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.pool_conv = nn.Conv2d(in_channels, 24, kernel_size=1)
        self.branches = nn.ModuleList([
            nn.Sequential(nn.Conv2d(in_channels, 16, kernel_size=1)),
            nn.Sequential(nn.Conv2d(in_channels, 16, kernel_size=1), nn.Conv2d(16, 24, kernel_size=5, padding=2)),
            nn.Sequential(nn.Conv2d(in_channels, 16, kernel_size=1), nn.Conv2d(16, 24, kernel_size=3, padding=1),
                          nn.Conv2d(24, 24, kernel_size=3, padding=1)),
        ])

    def forward(self, x):
        outs = [branch(x) for branch in self.branches]
        outs.append(self.pool_conv(F.avg_pool2d(x, 3, 1, 1)))
        return torch.cat(outs, 1)

# %% residual | mistake: no ReLU between the two convolutions | fails: test_residual | says: the ReLU between the two convolutions is missing | student: m10-g1
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = self.conv2(self.conv1(x))
        return F.relu(x + y)

# %% residual | mistake: shortcut added in place to the input (x += F(x)) | fails: test_residual, test_resnet_accuracy | says: changed its input tensor x in place | student: m10-g2
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        x += y
        return F.relu(x)

# %% residual | mistake: ReLU on x before adding F(x) | fails: test_residual | says: relu(x) + F(x) | student: m10-g3
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = self.conv2(F.relu(self.conv1(x)))
        return F.relu(x) + y

# %% residual | mistake: the same convolution applied twice | fails: test_residual | says: must use both conv1 and conv2 | student: m10-g4
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = self.conv1(F.relu(self.conv1(x)))
        return F.relu(x + y)

# %% residual | alternative: nn.Sequential for F and torch.relu | student: a10-1
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1),
        )

    def forward(self, x):
        return torch.relu(self.f(x) + x)

# %% residual | alternative: nn.ReLU modules, conv2 created first, clamp | student: a10-2
class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=(3, 3), padding=(1, 1))
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=(3, 3), padding=(1, 1))
        self.act = nn.ReLU(inplace=True)

    def forward(self, x):
        out = self.act(self.conv1(x))
        out = self.conv2(out)
        out = out + x
        return out.clamp(min=0)

# %% inception_net | mistake: conv2 takes 10 channels instead of the block's 88 | fails: test_inception_net, test_inception_accuracy | says: Look at the size | student: m10-g5
class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pool(self.conv1(x)))
        x = self.incep1(x)
        x = F.relu(self.pool(self.conv2(x)))
        x = self.incep2(x)
        return self.fc(x.view(batch_size, -1))

# %% inception_net | mistake: the ReLUs after pooling left out | fails: test_inception_net | says: the ReLU after conv -> pool is missing | student: m10-g6
class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = self.incep1(self.pool(self.conv1(x)))
        x = self.incep2(self.pool(self.conv2(x)))
        return self.fc(x.view(batch_size, -1))

# %% inception_net | mistake: torch.flatten(x) flattens the batch too | fails: test_inception_net, test_inception_accuracy | says: also flattens the batch | student: m10-g7
class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = self.incep1(x)
        x = F.relu(self.pool(self.conv2(x)))
        x = self.incep2(x)
        return self.fc(torch.flatten(x))

# %% inception_net | alternative: nn.Sequential with nn.Flatten, created in another order | student: a10-1
class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(88 * 4 * 4, 10))
        self.stage2 = nn.Sequential(nn.Conv2d(88, 20, 5), nn.MaxPool2d(2), nn.ReLU(), InceptionA(20))
        self.stage1 = nn.Sequential(nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(), InceptionA(10))

    def forward(self, x):
        return self.head(self.stage2(self.stage1(x)))

# %% inception_net | alternative: F.max_pool2d, ReLU before pooling, torch.flatten(x, 1) | student: a10-2
class InceptionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.block1 = InceptionA(10)
        self.conv2 = nn.Conv2d(88, 20, 5)
        self.block2 = InceptionA(20)
        self.linear = nn.Linear(1408, 10)

    def forward(self, x):
        x = self.block1(F.max_pool2d(F.relu(self.conv1(x)), 2))
        x = self.block2(F.max_pool2d(F.relu(self.conv2(x)), 2))
        return self.linear(torch.flatten(x, 1))

# %% resnet | mistake: view with a hard-coded batch size | fails: test_resnet, test_resnet_accuracy | says: never a fixed batch size | student: m10-g5
class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        x = self.rblock1(F.relu(self.pool(self.conv1(x))))
        x = self.rblock2(F.relu(self.pool(self.conv2(x))))
        return self.fc(x.view(4, -1))

# %% resnet | mistake: residual block placed before the pooling | fails: test_resnet | says: got inputs of shapes | student: m10-g6
class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = self.pool(self.rblock1(F.relu(self.conv1(x))))
        x = self.pool(self.rblock2(F.relu(self.conv2(x))))
        return self.fc(x.view(batch_size, -1))

# %% resnet | mistake: ReLU after the pooling forgotten | fails: test_resnet | says: the ReLU after conv -> pool is missing | student: m10-g7
class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = self.rblock1(self.pool(self.conv1(x)))
        x = self.rblock2(self.pool(self.conv2(x)))
        return self.fc(x.view(batch_size, -1))

# %% resnet | alternative: nn.Sequential stages and nn.Flatten, created in another order | student: a10-1
class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 10))
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.ReLU(), ResidualBlock(16),
            nn.Conv2d(16, 32, 5), nn.MaxPool2d(2), nn.ReLU(), ResidualBlock(32),
        )

    def forward(self, x):
        return self.classifier(self.features(x))

# %% resnet | alternative: F.max_pool2d and reshape | student: a10-2
class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 5)
        self.r1 = ResidualBlock(16)
        self.c2 = nn.Conv2d(16, 32, 5)
        self.r2 = ResidualBlock(32)
        self.out = nn.Linear(512, 10)

    def forward(self, x):
        x = self.r1(F.relu(F.max_pool2d(self.c1(x), kernel_size=2)))
        x = self.r2(F.relu(F.max_pool2d(self.c2(x), kernel_size=2)))
        return self.out(x.reshape(x.shape[0], -1))

# %% transfer | mistake: replaces the head but freezes nothing | fails: test_transfer | says: still require gradients | student: m10-g1
def transfer(model, num_classes):
    model.head = nn.Linear(model.head.in_features, num_classes).to(model.head.weight.device)
    return model

# %% transfer | mistake: replaces the head first, then freezes every parameter, the new head too | fails: test_transfer | says: the new head is frozen | student: m10-g2
def transfer(model, num_classes):
    model.head = nn.Linear(model.head.in_features, num_classes).to(model.head.weight.device)
    for p in model.parameters():
        p.requires_grad = False
    return model

# %% transfer | mistake: freezes the features but keeps the old head | fails: test_transfer | says: still the old head | student: m10-g3
def transfer(model, num_classes):
    for p in model.features.parameters():
        p.requires_grad = False
    return model

# %% transfer | mistake: freezes the weights of the layers but not their biases | fails: test_transfer | says: weights and biases | student: m10-g4
def transfer(model, num_classes):
    for layer in model.features:
        if hasattr(layer, "weight"):
            layer.weight.requires_grad = False
    model.head = nn.Linear(model.head.in_features, num_classes).to(model.head.weight.device)
    return model

# %% transfer | mistake: the new head's inputs hard-coded to SmallCNN's 256 | fails: test_transfer | says: the old head's in_features | student: m10-g5
def transfer(model, num_classes):
    for p in model.features.parameters():
        p.requires_grad = False
    model.head = nn.Linear(256, num_classes).to(model.head.weight.device)
    return model

# %% transfer | alternative: requires_grad_(False) on the whole features module, a head built on the device | student: a10-1
def transfer(model, num_classes):
    model.features.requires_grad_(False)
    old = model.head
    model.head = nn.Linear(old.in_features, num_classes, device=old.weight.device)
    return model

# %% transfer | alternative: freeze every parameter first, then the new head (torchvision's tutorial idiom) | student: a10-2
def transfer(model, num_classes):
    device = next(model.parameters()).device
    n_in = model.head.weight.shape[1]
    for name, param in model.named_parameters():
        param.requires_grad = False
    new_head = nn.Linear(n_in, num_classes)
    model.head = new_head.to(device)
    return model
