# Typical beginner mistakes in 11 RNN basics, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% rnn_cell | fails: test_rnn_cell | says: you forgot the tanh
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    # the two linear terms are right, but the activation is missing
    return x @ W_ih.T + b_ih + h @ W_hh.T + b_hh

# %% rnn_unroll | fails: test_rnn_unroll | says: the hidden state is not carried between steps
def rnn_unroll(cell, inputs, h0):
    # every step starts again from h0: the new hidden state is thrown away
    outputs = []
    for x_t in inputs:
        h = cell(x_t, h0)
        outputs.append(h)
    return torch.stack(outputs), h

# %% hello_data | fails: test_hello_data | says: CrossEntropyLoss wants class indices
def hello_data(src, dst, chars):
    # labels as one-hot vectors, like the inputs
    eye = torch.eye(len(chars))
    inputs = eye[[chars.index(c) for c in src]].unsqueeze(1)
    labels = eye[[chars.index(c) for c in dst]]
    return inputs, labels

# %% rnn_shapes | fails: test_rnn_shapes | says: batch_first does not apply to h_n
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    # batch_first applied to h_n as well, and bidirectional forgotten
    if batch_first:
        return (batch, seq_len, hidden_size), (batch, num_layers, hidden_size)
    return (seq_len, batch, hidden_size), (num_layers, batch, hidden_size)
