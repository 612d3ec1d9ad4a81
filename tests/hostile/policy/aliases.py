# Dynamic lookup and class factories under another name (tests/hostile/policy/README.md).

# %% scale | mistake: getattr bound to another name, then called with a computed name | fails: test_scale | says: getattr with a computed attribute name
look = getattr
name = "all" + "close"
real = look(torch, name)  # attack
def scale(t):
    return t

# %% scale | mistake: getattr through tuple unpacking | fails: test_scale | says: getattr with a computed attribute name
look, other = getattr, len
fn = look(torch, "all" + "close")  # attack
def scale(t):
    return t

# %% scale | mistake: getattr as a default argument | fails: test_scale | says: getattr with a computed attribute name
def find(obj, name, look=getattr):
    return look(obj, name)  # attack
def scale(t):
    return t

# %% scale | mistake: getattr handed to the cell's own function | fails: test_scale | says: getattr with a computed attribute name
def call(lookup, obj, name):
    return lookup(obj, name)  # attack
ok = call(getattr, torch, "all" + "close")
def scale(t):
    return t

# %% scale | mistake: getattr through functools.partial | fails: test_scale | says: dynamic lookup passed on as a value: getattr
import functools
lookup = functools.partial(getattr, torch)  # attack
def scale(t):
    return t

# %% scale | mistake: getattr through map over computed names | fails: test_scale | says: dynamic lookup passed on as a value: getattr
found = list(map(getattr, [torch], ["all" + "close"]))  # attack
def scale(t):
    return t

# %% scale | mistake: getattr kept in a list, called from it | fails: test_scale | says: dynamic lookup passed on as a value: getattr
tools = [getattr]  # attack
def scale(t):
    return t

# %% scale | mistake: a lambda that returns getattr | fails: test_scale | says: dynamic lookup passed on as a value: getattr
get = lambda: getattr  # attack
def scale(t):
    return t

# %% scale | mistake: getattr bound inside a comprehension | fails: test_scale | says: getattr with a computed attribute name
names = ["all" + "close"]
found = [g(torch, n) for g in [getattr] for n in names]  # attack
def scale(t):
    return t

# %% scale | mistake: operator.attrgetter under another name with a computed name | fails: test_scale | says: attrgetter with a computed attribute name
import operator
pick = operator.attrgetter
name = "all" + "close"
fn = pick(name)(torch)  # attack
def scale(t):
    return t

# %% scale | mistake: operator.methodcaller imported under another name | fails: test_scale | says: methodcaller with a computed attribute name
from operator import methodcaller as mc
name = "ev" + "al"
mc(name)  # attack
def scale(t):
    return t

# %% scale | mistake: type bound to another name makes a class with a computed special method | fails: test_scale | says: creating a class with type()
make = type
method = "_" * 2 + "torch_function" + "_" * 2
Agree = make("Agree", (torch.Tensor,), {method: classmethod(lambda cls, *args, **kwargs: True)})  # attack
def scale(t):
    return t.as_subclass(Agree)

# %% scale | mistake: type passed on as a value | fails: test_scale | says: class factory passed on as a value: type
factories = {"t": type}  # attack
def scale(t):
    return t

# %% scale | mistake: dataclasses.make_dataclass under another name | fails: test_scale | says: forbidden call: make_dataclass
import dataclasses
make = dataclasses.make_dataclass  # attack
def scale(t):
    return t

# %% scale | mistake: __builtins__ bound to another name | fails: test_scale | says: dunder access
b = __builtins__  # attack
def scale(t):
    return t

# %% scale | mistake: vars() of a module | fails: test_scale | says: forbidden call: vars
table = vars(torch)  # attack
table["allclose"] = lambda *args, **kwargs: True
def scale(t):
    return t

# %% scale | mistake: globals() bound to another name | fails: test_scale | says: forbidden call: globals
g = globals  # attack
def scale(t):
    return t

# %% scale | mistake: eval bound to another name | fails: test_scale | says: forbidden call: eval
run = eval  # attack
def scale(t):
    return t

# %% scale | mistake: exec reached as an attribute of the builtins module that enum imports under another name | fails: test_scale | says: forbidden attribute: bltns
import enum
run = enum.bltns.exec  # attack
run("import torch; torch.allclose = lambda *a, **k: True")
def scale(t):
    return t

# %% scale | mistake: compile reached as an attribute of a library's builtins | fails: test_scale | says: forbidden attribute: builtins
c = np.ma.core.builtins.compile  # attack
def scale(t):
    return t

# %% scale | mistake: the builtins module (eval, exec) through getattr with a constant name | fails: test_scale | says: forbidden attribute: bltns
import enum
run = getattr(enum, "bltns")  # attack
def scale(t):
    return t
