"""The judge (issue 20): tests run in a pristine process that never runs student code.

* the wire: only plain data crosses, rebuilt with the judge's own libraries; anything else is refused;
* the protocol, in one process (a loopback "kernel" made of course.grading.kernel_side): names
  looked up when used, functions called with plain data, arguments changed in place seen by the
  test, the torch functions a call ran reported, the student's exceptions named;
* models and tensors across the judge: a test's nn.Linear/nn.Sequential/ck.ProbeModel crosses by
  spec and comes back trained; a student's model is a handle with isinstance, parameters linked
  (a test's fill_ goes back), the test's grad mode, ck.backward and ck.manual_seed in the kernel;
* (pipeline) tests/hostile/judged/<lecture>.py (03, 04, 06), attacks of the four doors of the issue
  on torch lectures, graded by the real grader twice, with the static policy off (it refuses these
  spellings now; the judge must not depend on it): with the judge every attack loses its test
  and the running test's source never reaches the kernel; with ``COURSE_JUDGE=0`` (the in-kernel
  tests of before) every attack earns its points and the hidden test is printed: the control
  that the attacks are real.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from course.grading import catalogue, judge, kernel_side, wire

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile" / "judged"
# lecture -> text of its hidden tests that must never reach the kernel (the leaking student prints
# the kernel's input history while a test calls its code)
ATTACKED = {"03_back_propagation": "check_vjp(", "04_linear_regression": "_lstsq_line(",
            "06_multiple_dimension_input": "_check_count((93, 256, 128, 9)", "09_cnn_basics": "_size(15, 4, s=3)"}
ATTACKED["10_cnn_advanced"] = "transfer(a model with 5 features, 4)"   # in test_transfer's hidden part only


# --------------------------------------------------------------------------- the wire
def _roundtrip(value):
    return wire.decode(json.loads(json.dumps(wire.encode(value))))


def test_plain_data_crosses_as_itself():
    value = {"f": 1.5, "i": 3, "s": "x", "n": None, "b": True, "l": [1, 2.0], "t": (1, "a"),
             "nan": float("nan"), "arr": np.arange(6, dtype=np.float32).reshape(2, 3), "np": np.float64(2.5),
             "tensor": torch.tensor([[1.0, 2.0]], dtype=torch.float64), "dev": torch.device("cpu"), "dt": torch.int64}
    back = _roundtrip(value)
    assert back["f"] == 1.5 and back["i"] == 3 and back["s"] == "x" and back["n"] is None and back["b"] is True
    assert back["t"] == (1, "a") and isinstance(back["t"], tuple) and np.isnan(back["nan"])
    assert back["arr"].dtype == np.float32 and back["arr"].shape == (2, 3) and back["arr"][1, 2] == 5
    assert type(back["np"]) is np.float64 and back["np"] == 2.5
    assert type(back["tensor"]) is torch.Tensor and back["tensor"].dtype == torch.float64
    assert back["dev"] == torch.device("cpu") and back["dt"] is torch.int64


def test_value_objects_arrive_as_plain_values():
    class Agreeable(float):
        def __eq__(self, other):
            return True

    class Sub(np.ndarray):
        pass

    back = _roundtrip([Agreeable(1.0), np.zeros(2).view(Sub)])
    assert type(back[0]) is float and back[0] != 2.0
    assert type(back[1]) is np.ndarray


def test_tensor_records_keep_what_the_kernel_saw():
    leaf = torch.tensor([1.0, 2.0], requires_grad=True)
    (leaf * 3).sum().backward()
    out = leaf * 2
    back_leaf, back_out = _roundtrip([leaf, out])
    assert back_leaf.is_leaf and back_leaf.requires_grad and back_leaf.grad.tolist() == [3.0, 3.0]
    assert not back_out.is_leaf and back_out.grad_fn is not None  # an operation's output stays one
    assert wire.kernel_info(back_out)["grad_fn"] == "MulBackward0"


@pytest.mark.parametrize("bad", [
    {"$nd": {"dtype": "float64", "shape": [3], "b64": "AAAA"}},            # bytes do not match the shape
    {"$nd": {"dtype": "object", "shape": [1], "b64": ""}},                  # not a plain dtype
    {"$pickle": "gASV"},                                                    # unknown record
    {"$ref": 1},                                                            # a handle where data is expected
    {"a": 1, "b": 2},                                                       # a bare dict
    "x" and {"$tuple": "no list"},
])
def test_anything_else_is_refused(bad):
    with pytest.raises(wire.WireError):
        wire.decode(bad)


def test_deep_nesting_is_refused():
    data = 1
    for _ in range(wire.MAX_DEPTH + 5):
        data = [data]
    with pytest.raises(wire.WireError):
        wire.decode(data)


# --------------------------------------------------------------------------- the protocol, in one process
class Loopback(judge.Channel):
    """The judge's channel with the kernel's half run in this process on a fake user namespace."""

    def __init__(self, user_ns: dict, monkeypatch):
        super().__init__(None, None)
        import sys
        import types

        main = types.ModuleType("__main__")
        main.__dict__.update(user_ns)
        monkeypatch.setitem(sys.modules, "__main__", main)
        self.requests = []

    def _request(self, request: dict) -> dict:   # after the judge's own request() sent back the linked parameters
        self.requests.append(request)
        return json.loads(kernel_side.serve(json.dumps(request)))


def _judge(monkeypatch, **user_ns):
    channel = Loopback(user_ns, monkeypatch)
    from course import checks

    monkeypatch.setattr(checks, "_JUDGE", channel)
    ns = judge.Namespace(channel)
    judge.run("import numpy as np\nimport torch\nfrom course import checks as ck", ns, remote=False)
    return channel, ns


def test_names_are_asked_of_the_kernel_and_results_are_plain(monkeypatch):
    def forward(x, w):
        return x * w

    channel, ns = _judge(monkeypatch, forward=forward, xs=np.array([1.0, 2.0]))
    out = judge.run("got = forward(xs, 3.0)\nck.close(got, [3.0, 6.0])\nprint(type(got).__name__)", ns, remote=True)
    assert out["error"] is None and out["stdout"] == "ndarray\n", out
    assert [r["op"] for r in channel.requests] == ["lookup", "lookup", "call"]
    assert isinstance(ns["forward"], judge.Remote) and type(ns["got"]) is np.ndarray
    # a name the student never defined is a NameError in the test, as in a kernel
    out = judge.run("missing_function(1)", ns, remote=True)
    assert out["error"]["ename"] == "NameError"


def test_the_students_exception_is_named_and_caught_by_ck_call(monkeypatch):
    def mse(w, xs, ys):
        return [1, 2] * 1.5

    _, ns = _judge(monkeypatch, mse=mse)
    out = judge.run("ck.call(mse, 1.0, [1], [2], what='mse(1.0, [1], [2])')", ns, remote=True)
    assert out["error"]["ename"] == "AssertionError"
    assert "mse(1.0, [1], [2]) raised TypeError" in out["error"]["evalue"]


def test_in_place_changes_and_torch_calls_are_seen(monkeypatch):
    def step(params, lr):
        for p in params:
            p.data -= lr * p.grad
            p.grad.zero_()

    def by_autograd(x):
        t = torch.tensor(float(x), requires_grad=True)
        (t ** 2).backward()
        return t.grad.item()

    _, ns = _judge(monkeypatch, step=step, by_autograd=by_autograd)
    out = judge.run(
        "a = torch.tensor(1.0, requires_grad=True)\n(3 * a).backward()\n"
        "ck.call(step, [a], 0.1)\n"
        "print(round(a.item(), 4), a.grad.item())\n"
        "with ck.torch_calls() as calls:\n    g = by_autograd(2.0)\n"
        "print(g, 'backward' in calls.names)\n", ns, remote=True)
    assert out["error"] is None, out
    assert out["stdout"].split("\n")[:2] == ["0.7 0.0", "4.0 True"]


def test_an_in_place_change_of_shape_is_seen(monkeypatch):
    def transposes(X, W):                 # W.t_() transposes the caller's tensor in place: (2, 3) -> (3, 2)
        return X @ W.t_()

    _, ns = _judge(monkeypatch, transposes=transposes)
    out = judge.run(
        "W = torch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]], requires_grad=True)\nkeep = W.detach().clone()\n"
        "with torch.no_grad():\n    got = transposes(torch.ones(1, 3), W)\n"
        "print(tuple(W.shape), W.is_leaf, W.requires_grad, torch.equal(W.detach(), keep.T))\n"
        "ck.unchanged(keep, W, 'W')", ns, remote=True)
    assert out["stdout"] == "(3, 2) True True True\n", out
    assert out["error"]["ename"] == "AssertionError" and "W was modified" in out["error"]["evalue"], out


def test_a_judge_object_is_never_sent_to_the_kernel(monkeypatch):
    _, ns = _judge(monkeypatch, f=lambda m: m)
    out = judge.run("class Mine(torch.nn.Linear):\n    pass\nf(Mine(1, 1))", ns, remote=True)
    assert out["error"]["ename"] == "WireError"        # a class of the test's own has code: it never crosses
    out = judge.run("f(torch.optim.SGD(torch.nn.Linear(1, 1).parameters(), lr=0.1))", ns, remote=True)
    assert out["error"]["ename"] == "WireError"


def test_a_tests_model_crosses_by_spec_and_comes_back_trained(monkeypatch):
    def train(model, x, y, lr, plot):
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        for step in range(3):
            loss = ((model(x) - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            plot.add(step, loss=loss.item())
        model.eval()
        return type(model).__name__

    _, ns = _judge(monkeypatch, train=train)
    out = judge.run(
        "m = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sigmoid())\n"
        "with torch.no_grad():\n    m[0].weight.fill_(0.5); m[0].bias.fill_(0.0)\n"
        "ref = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sigmoid()); ref.load_state_dict(m.state_dict())\n"
        "x = torch.tensor([[1.0], [2.0]]); y = torch.tensor([[0.0], [1.0]])\n"
        "rec = ck.PlotRecorder()\n"
        "print(train(m, x, y, 0.5, rec), m.training, m[0].training, len(rec.values), m[0].weight.grad is not None)\n"
        "opt = torch.optim.SGD(ref.parameters(), lr=0.5)\n"
        "for _ in range(3):\n    loss = ((ref(x) - y) ** 2).mean(); opt.zero_grad(); loss.backward(); opt.step()\n"
        "ck.close(m[0].weight, ref[0].weight); ck.close(m[0].bias, ref[0].bias)\n"
        "p = ck.ProbeModel(weight=2.0, bias=1.0, count_graphs=True)\n"
        "try:\n    with torch.no_grad():\n        train(p, x, y, 0.1, rec)\n"
        "except RuntimeError as exc:\n    print('does not require grad' in str(exc))\n"
        "train(p, x, y, 0.1, rec)\n"
        "print(p.calls[0], p.calls[1], p.train_sizes, p.most, p.training)\n", ns, remote=True)
    assert out["error"] is None, out
    # the test's torch.no_grad() holds where the student's code runs: no graph, so backward() fails;
    # the probe's records of both calls come back
    assert out["stdout"].splitlines() == ["Sequential False False 3 True", "True",
                                          "((2, 1), False) ((2, 1), True) [2, 2, 2] 1 False"], out


def test_a_students_model_is_a_handle_with_linked_parameters(monkeypatch):
    import torch.nn as nn

    class LinearModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(1, 1)

        def forward(self, x):
            return self.linear(x)

    def grad_on(x):
        return torch.is_grad_enabled()

    _, ns = _judge(monkeypatch, LinearModel=LinearModel, grad_on=grad_on)
    out = judge.run(
        "import torch.nn as nn\n"
        "model = LinearModel()\n"
        "print(isinstance(model, nn.Module), isinstance(model, nn.Linear), isinstance(model.linear, nn.Linear))\n"
        "print(sum(p.numel() for p in model.parameters()), model.training, model.linear.in_features)\n"
        "w = [p for p in model.parameters() if p.dim() == 2][0]; b = model.linear.bias\n"
        "with torch.no_grad():\n    w.fill_(3.0); b.fill_(-1.0)\n"
        "    got = model(torch.tensor([[2.0]]))\n"
        "print(got.tolist(), got.requires_grad, grad_on(1), model(torch.tensor([[0.0]])).grad_fn is not None)\n"
        "ck.backward(model, torch.tensor([[2.0], [1.0]]))\n"
        "print([p.grad.tolist() for p in model.parameters()])\n"
        "ck.manual_seed(3); a = [p.tolist() for p in LinearModel().parameters()]\n"
        "ck.manual_seed(3); b = [p.tolist() for p in LinearModel().parameters()]\n"
        "r1 = ck.global_rand(2); ck.manual_seed(3); LinearModel(); print(a == b, torch.equal(r1, ck.global_rand(2)))\n"
        "print(globals().get('LinearModel') is not None, globals().get('nothing_here', 7))\n", ns, remote=True)
    assert out["error"] is None, out
    assert out["stdout"].splitlines() == [
        "True False True", "2 True 1", "[[5.0]] False True True", "[[[3.0]], [2.0]]", "True True", "True 7"], out


def test_each_test_cell_starts_from_the_setup_and_the_students_names(monkeypatch):
    _, ns = _judge(monkeypatch, model="the student's trained model")
    ns.remember_locked()
    judge.run("model = 'bound by a test'\nhelper = 1", ns, remote=True)
    ns.forget_student()                   # the next test cell: the student's `model`, no `helper`
    out = judge.run("print(model, 'helper' in globals(), 'ck' in globals())", ns, remote=True)
    assert out["stdout"] == "the student's trained model False True\n", out


def test_module_calls_and_hooks_left_are_what_the_kernel_saw(monkeypatch):
    def predict(model, x):                # leaves a forward hook behind; the test's grad mode holds
        model.register_forward_hook(lambda m, i, o: None)
        model.eval()
        return int(model(x).argmax())

    _, ns = _judge(monkeypatch, predict=predict)
    out = judge.run(
        "import torch.nn as nn\n"
        "m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2))\n"
        "before = ck.hook_counts(m)\n"
        "with ck.module_calls() as seen:\n    predict(m, torch.tensor([[1.0, -1.0]]))\n"
        "print(before, ck.hook_counts(m), len(m._forward_hooks), m.training)\n"
        "print([(c['type'], c['leaf'], c['grad'], c['training'], c['input_shape'], c['output_shape']) for c in seen.calls])\n"
        "with ck.module_calls() as seen:\n    with torch.no_grad():\n        predict(m, torch.tensor([[1.0, -1.0]]))\n"
        "print(any(c['grad'] for c in seen.calls), len(seen.calls), ck.hook_counts(m))\n", ns, remote=True)
    assert out["error"] is None, out
    # the hook was left on the kernel's model (the test's own copy has none); a call rebuilds the model anew
    assert out["stdout"].splitlines() == [
        "[0, 0, 0, 0] [1, 0, 0, 0] 0 False",
        "[('Linear', True, True, False, [1, 2], [1, 3]), ('ReLU', True, True, False, [1, 3], [1, 3]), "
        "('Linear', True, True, False, [1, 3], [1, 2]), ('Sequential', False, True, False, [1, 2], [1, 2])]",
        "False 4 [1, 0, 0, 0]"], out


def test_module_calls_and_hook_counts_in_the_kernel():
    import torch.nn as nn
    from course import checks

    m = nn.Sequential(nn.Linear(1, 1), nn.Tanh())
    handle = m[0].register_forward_hook(lambda mod, i, o: None)
    assert checks.hook_counts(m) == [0, 1, 0]
    with checks.module_calls() as seen:
        m(torch.tensor([[-2.0]]))
    handle.remove()
    assert checks.hook_counts(m) == [0, 0, 0]
    assert [(c["module"], c["type"], c["leaf"]) for c in seen.calls] == [(0, "Linear", True), (1, "Tanh", True),
                                                                        (2, "Sequential", False)]
    assert seen.calls[0]["input_min"] == -2.0 and seen.calls[2]["output_bytes"] == 4
    m(torch.ones(1, 1))
    assert len(seen.calls) == 3           # the global hook is gone after the context


def test_a_course_exercises_class_crosses_by_spec_and_nothing_else_there(monkeypatch):
    def shift(model):
        with torch.no_grad():
            model.fc.bias.add_(1.0)
        return type(model).__name__

    _, ns = _judge(monkeypatch, shift=shift)
    out = judge.run(
        "from course.exercises import cnn_basics as q\n"
        "m = q.seeded(q.ProbeCNN, 0)\nb = m.fc.bias.detach().clone()\n"
        "print(shift(m), torch.allclose(m.fc.bias, b + 1))\n", ns, remote=True)
    assert out["error"] is None and out["stdout"] == "ProbeCNN True\n", out
    out = judge.run("class Mine(q.ProbeCNN):\n    pass\nshift(Mine())", ns, remote=True)
    assert out["error"]["ename"] == "WireError", out     # a subclass of the test's own has code: it never crosses
    for name in ("course.exercises.cnn_basics.seeded", "course.exercises.cnn_basics.nn", "course.exercises.cnn_basics.Mine",
                 "course.exercises.no_such_module.ProbeCNN", "course.exercises.cnn_basics.ProbeCNN.forward", "course.grading.wire"):
        with pytest.raises(wire.WireError):
            wire.decode({"$obj": {"class": name}})


def test_a_weighted_backward_and_the_inputs_modules_received(monkeypatch):
    import torch.nn as nn

    class Two(nn.Module):                 # two output channels, each from its own layer (lecture 10's branches)
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 1), nn.Linear(2, 1)

        def forward(self, x):
            return torch.cat([self.a(x), self.b(x)], dim=1)

    class Negate(nn.Module):              # changes its input in place (lecture 10's x += F(x))
        def forward(self, x):
            return x.mul_(-1.0)

    _, ns = _judge(monkeypatch, Two=Two, Negate=Negate)
    out = judge.run(
        "m = Two()\n"
        "ck.backward(m, torch.ones(1, 2), grad_output=torch.tensor([[1.0, 0.0]]))\n"
        "print(m.a.weight.grad.tolist(), m.b.weight.grad.tolist())\n"
        "m.zero_grad()\n"
        "ck.backward(m, torch.ones(1, 2), grad_output=torch.tensor([[0.0, 2.0]]))\n"
        "print(m.a.weight.grad.tolist(), m.b.weight.grad.tolist())\n"
        "with ck.module_calls() as seen:\n    Negate()(torch.ones(1, 2))\n"
        "print([(c['type'], c['input_min'], c['output_min']) for c in seen.calls])\n", ns, remote=True)
    assert out["error"] is None, out
    # only the weighted channel's layer gets a gradient; the input as the module received it, before its forward
    assert out["stdout"].splitlines() == ["[[1.0, 1.0]] [[0.0, 0.0]]", "[[0.0, 0.0]] [[2.0, 2.0]]",
                                          "[('Negate', 1.0, -1.0)]"], out
    # the same in the student's own kernel (no judge)
    from course import checks

    monkeypatch.setattr(checks, "_JUDGE", None)
    m = Two()
    checks.backward(m, torch.ones(1, 2), grad_output=torch.tensor([[0.0, 3.0]]))
    assert m.a.weight.grad.tolist() == [[0.0, 0.0]] and m.b.weight.grad.tolist() == [[3.0, 3.0]]
    with checks.module_calls() as seen:
        Negate()(torch.ones(1, 2))
    assert [(c["type"], c["input_min"]) for c in seen.calls] == [("Negate", 1.0)]


def test_only_lectures_on_the_judge_are_judged(monkeypatch):
    assert judge.judged("01_linear_model") and judge.judged("03_back_propagation")
    assert judge.judged("04_linear_regression") and judge.judged("05_logistic_regression")
    assert judge.judged("06_multiple_dimension_input")
    assert judge.judged("09_cnn_basics")
    assert judge.judged("10_cnn_advanced")
    monkeypatch.setenv("COURSE_JUDGE", "0")
    assert not judge.judged("01_linear_model")


# --------------------------------------------------------------------------- the attacks, graded
def _leaks(result: catalogue.LectureResult, lecture: str) -> list[str]:
    import nbformat

    texts = []
    for path in sorted((result.root / ".grading" / lecture / "executed").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    texts += [m[::-1] for m in re.findall(r"LEAK>(.*?)<LEAK", out.get("text", ""), re.S)]
    return texts


def _grade(tmp_path_factory, monkeypatch, lecture: str, judged: bool) -> catalogue.LectureResult:
    # the static policy now refuses these spellings (private numpy modules, a computed getattr alias):
    # it is off here, because the judge must hold where the policy has a hole (docs/grading.md)
    copy = catalogue.copy_course

    def copy_without_policy(src, dest):
        root = copy(src, dest)
        with open(root / "nbgrader_config.py", "a") as fh:
            fh.write("\nc.Policy.enabled = False  # tests/test_judge.py: the judge (or the guards) alone\n")
        return root

    monkeypatch.setattr(catalogue, "copy_course", copy_without_policy)
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_NO_VISDOM", "1")
    monkeypatch.setenv("COURSE_JUDGE", "1" if judged else "0")
    result = catalogue.run(ROOT, lecture, path=HOSTILE / f"{lecture}.py", jobs=2,
                           keep=tmp_path_factory.mktemp("judged" if judged else "in-kernel"), log=lambda m: None)
    assert not result.failed, f"the grader could not grade: {result.failed}"
    return result


def test_every_judged_torch_lecture_with_attacks_is_checked():
    files = {p.stem for p in HOSTILE.glob("*.py")}
    assert files == set(ATTACKED) and files <= judge.JUDGED, (files, sorted(ATTACKED))


@pytest.mark.pipeline
@pytest.mark.parametrize("attacked", sorted(ATTACKED))
def test_the_judge_stops_every_attack_and_no_test_reaches_the_kernel(tmp_path_factory, monkeypatch, attacked):
    result = _grade(tmp_path_factory, monkeypatch, attacked, judged=True)
    problems = catalogue.failures(result)
    assert not problems, "\n".join(problems)
    leaks = _leaks(result, attacked)
    assert leaks, "the leaking student printed nothing: the check would prove nothing"
    for text in leaks:  # what the kernel's input history held while a test called the student's code
        assert "HIDDEN TESTS" not in text and ATTACKED[attacked] not in text, text[:500]


@pytest.mark.pipeline
@pytest.mark.parametrize("attacked", sorted(ATTACKED))
def test_control_the_attacks_work_on_tests_run_inside_the_kernel(tmp_path_factory, monkeypatch, attacked):
    result = _grade(tmp_path_factory, monkeypatch, attacked, judged=False)
    mistakes = [e for e in result.entries if e.kind == "mistake"]
    assert mistakes and all(e.verdict == catalogue.NOT_CAUGHT for e in mistakes), \
        "\n".join(f"{e.label}: {e.verdict}" for e in mistakes)
    leaks = _leaks(result, attacked)
    assert any("BEGIN HIDDEN TESTS" in text and ATTACKED[attacked] in text for text in leaks), \
        "the in-kernel test's source did not leak"
