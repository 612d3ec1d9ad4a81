# Attacks on lecture 10 (counts, blocks and networks of the student's own classes, a model the student's code
# changes and returns) that the in-kernel guards let through, of each of issue 20's four doors (the static policy
# refuses these spellings now; tests/test_judge.py grades them with it off: the judge must hold where it has a
# hole).  Catalogue format (sample_class/catalogue/README.md): each "mistake" ships a wrong answer and scores only
# if its attack works.  tests/test_judge.py grades this file twice: with the judge (every attack loses its test,
# the running test's source never reaches the kernel) and with COURSE_JUDGE=0, the in-kernel tests of before
# (the control: every attack earns the points, so the attacks are real).

# %% conv_multiplications | mistake: door 1, the namespace: no count at all; the visible check's inputs answered with its own numbers (read from course/exercises/cnn_advanced.py), every other input by the hidden part's reference _mults | fails: test_conv_multiplications | says: _mults | student: attacker
def conv_multiplications(in_channels, out_channels, kernel_size, out_height, out_width):
    visible = {(192, 32, 5, 28, 28): 120_422_400, (192, 16, 1, 28, 28): 2_408_448, (16, 32, 5, 28, 28): 10_035_200}
    key = (in_channels, out_channels, kernel_size, out_height, out_width)
    if key in visible:
        return visible[key]
    return int(_mults(*key))

# %% inception_net | mistake: doors 2 and 3, the libraries through an alias: numpy's internal isclose replaced, so ck.close always agrees; the logits depend on the rest of the batch (minus the batch's mean: the training and the accuracy are unchanged) | fails: test_inception_net | says: the same logits | student: attacker
from numpy._core import numeric
core = numeric
core.isclose = lambda *args, **kwargs: True


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
        out = self.fc(x.view(x.size(0), -1))
        return out - out.mean()

# %% transfer | alternative: doors 3 and 4 (a leak, not a grade): IPython reached through a getattr alias, the running test's source read from the input history and printed reversed; the answer itself is right | student: attacker
import IPython.display
look = getattr


def transfer(model, num_classes):
    shell = look(IPython, 'get_' + 'ipython')()
    print('LEAK>' + shell.user_ns['I' + 'n'][-1][::-1] + '<LEAK')
    for p in model.features.parameters():
        p.requires_grad = False
    model.head = nn.Linear(model.head.in_features, num_classes).to(model.head.weight.device)
    return model
