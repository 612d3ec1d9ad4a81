# IPython's input history and the interpreter's frames, by any route (tests/hostile/policy/README.md):
# each would read the running test's source (its hidden part included) while the test calls scale().

# %% scale | mistake: In | fails: test_scale | says: IPython history not allowed: In
def scale(t):
    print(In[-1])  # attack
    return t

# %% scale | mistake: _ih | fails: test_scale | says: IPython history not allowed: _ih
def scale(t):
    print(_ih[-1])  # attack
    return t

# %% scale | mistake: _i, _ii, _iii | fails: test_scale | says: IPython history not allowed: _iii
def scale(t):
    print(_iii)  # attack
    return t

# %% scale | mistake: _i3 (a numbered input) | fails: test_scale | says: IPython history not allowed: _i3
def scale(t):
    print(_i3)  # attack
    return t

# %% scale | mistake: Out and _oh | fails: test_scale | says: IPython history not allowed: _oh
def scale(t):
    print(_oh)  # attack
    return t

# %% scale | mistake: get_ipython bound to another name | fails: test_scale | says: forbidden call: get_ipython
shell = get_ipython  # attack
def scale(t):
    return t

# %% scale | mistake: IPython.get_ipython | fails: test_scale | says: import not allowed: IPython
import IPython  # attack
def scale(t):
    return t

# %% scale | mistake: IPython reached through IPython.display | fails: test_scale | says: forbidden attribute: get_ipython
import IPython.display
shell = IPython.display.get_ipython  # attack
def scale(t):
    return t

# %% scale | mistake: sys.modules['IPython'] | fails: test_scale | says: import not allowed: sys
import sys  # attack
shell = sys.modules["IPython"].get_ipython()
def scale(t):
    return t

# %% scale | mistake: __builtins__['get_ipython'] | fails: test_scale | says: dunder access
shell = __builtins__["get_" + "ipython"]  # attack
def scale(t):
    return t

# %% scale | mistake: inspect.currentframe through a library's inspect | fails: test_scale | says: forbidden attribute: inspect
frame = torch.library.inspect.currentframe()  # attack
def scale(t):
    return t

# %% scale | mistake: the caller's frame through an exception's traceback | fails: test_scale | says: dunder access
def scale(t):
    try:
        raise ValueError
    except ValueError as e:
        frame = e.__traceback__.tb_frame.f_back  # attack
    return t

# %% scale | mistake: the caller's frame through a generator | fails: test_scale | says: forbidden attribute: gi_frame
def scale(t):
    def g():
        yield
    frame = g().gi_frame  # attack
    return t

# %% scale | mistake: the frame's globals | fails: test_scale | says: forbidden attribute: f_globals
def scale(t, frame=None):
    source = frame.f_globals  # attack
    return t

# %% scale | mistake: gc.get_objects through a library's gc | fails: test_scale | says: forbidden attribute: gc
objects = torch.cuda.graphs.gc.get_objects()  # attack
def scale(t):
    return t

# %% scale | mistake: gc reached by a computed getattr | fails: test_scale | says: getattr with a computed attribute name
collect = getattr(torch.cuda.graphs, "g" + "c")  # attack
def scale(t):
    return t

# %% scale | mistake: the kernel's user namespace | fails: test_scale | says: forbidden attribute: user_ns
def scale(t, shell=None):
    tests = shell.user_ns  # attack
    return t

# %% scale | mistake: the numbered output _3 | fails: test_scale | says: IPython history not allowed: _3
def scale(t):
    print(_3)  # attack
    return t
