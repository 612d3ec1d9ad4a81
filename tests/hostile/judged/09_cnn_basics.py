# Attacks on lecture 09 (convolutions, models the tests hand to the student's code, predictions) that the
# in-kernel guards let through, of each of issue 20's four doors (the static policy refuses these
# spellings now; tests/test_judge.py grades them with it off: the judge must hold where it has a hole).  Catalogue
# format (sample_class/catalogue/README.md): each "mistake" ships a wrong answer and scores only if
# its attack works.  tests/test_judge.py grades this file twice: with the judge (every attack loses
# its test, the running test's source never reaches the kernel) and with COURSE_JUDGE=0, the
# in-kernel tests of before (the control: every attack earns the points, so the attacks are real).

# %% conv2d_by_hand | mistake: door 1, the namespace: no convolution at all; the visible check's inputs answered with its own numbers (read from course/exercises/cnn_basics.py), every other input by the hidden part's reference _conv_and_variants | fails: test_conv2d_by_hand | says: _conv_and_variants | student: attacker
from course.exercises import cnn_basics as q


def conv2d_by_hand(x, weight, bias=None, stride=1, padding=0):
    if tuple(x.shape) == (1, 5, 5):
        return torch.full((1, 3, 3), -8.0)
    if tuple(x.shape) == (3, 5, 5):
        return torch.tensor(q.WANT_B if stride == 1 else q.WANT_C)
    return _conv_and_variants(x, weight, bias, stride, padding)[0]

# %% predict_one | mistake: door 1, the namespace: the model is run (under no_grad) but its output ignored; the answer is the hidden loop's expected class w2, the visible check's own number otherwise | fails: test_predict_one | says: the model's largest logit is class | student: attacker
from course.exercises import cnn_basics as q


def predict_one(model, image):
    with torch.no_grad():
        model(image.reshape(1, 1, 28, 28).to(next(model.parameters()).device))
    try:
        return int(w2)
    except NameError:
        return q.PREDICT_WANT

# %% net | mistake: doors 2 and 3, the libraries through an alias: numpy's internal isclose replaced, so ck.close always agrees; the logits depend on the rest of the batch (minus the batch's mean: the training and the accuracy are unchanged) | fails: test_net | says: must not depend on the other images | student: attacker
from numpy._core import numeric
core = numeric
core.isclose = lambda *args, **kwargs: True


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
        out = self.fc(x.view(x.size(0), -1))
        return out - out.mean()

# %% conv_output_size | alternative: doors 3 and 4 (a leak, not a grade): IPython reached through a getattr alias, the running test's source read from the input history and printed reversed; the answer itself is right
import IPython.display
look = getattr


def conv_output_size(size, kernel_size, stride=1, padding=0):
    shell = look(IPython, 'get_' + 'ipython')()
    print('LEAK>' + shell.user_ns['I' + 'n'][-1][::-1] + '<LEAK')
    return (size + 2 * padding - kernel_size) // stride + 1
