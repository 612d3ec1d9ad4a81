# Mistake catalogue of 11 RNN basics (issue 11): plausible beginner mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md. The exercises' tests do not call each other's answers,
# so one student carries one mistake of every exercise.

# %% rnn_cell | mistake: W_hh applied without its transpose | fails: test_rnn_cell | says: W_hh is not transposed | student: m11-1
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh)

# %% rnn_cell | mistake: only one bias (b_hh left out) | fails: test_rnn_cell | says: b_hh is missing | student: m11-2
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih.T + h @ W_hh.T + b_ih)

# %% rnn_cell | mistake: sigmoid instead of tanh | fails: test_rnn_cell | says: you used a sigmoid | student: m11-3
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.sigmoid(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)

# %% rnn_cell | mistake: W_ih not transposed for a batch of rows | fails: test_rnn_cell | says: Check the transposes | student: m11-4
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(x @ W_ih + b_ih + h @ W_hh.T + b_hh)

# %% rnn_cell | alternative: F.linear for both terms | student: a11-1
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    return torch.tanh(nn.functional.linear(x, W_ih, b_ih) + nn.functional.linear(h, W_hh, b_hh))

# %% rnn_cell | alternative: one matrix product on the concatenation [x, h] | student: a11-2
def rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh):
    xh = torch.cat([x, h], dim=1)                      # (batch, input_size + hidden_size)
    W = torch.cat([W_ih, W_hh], dim=1)                 # (hidden_size, input_size + hidden_size)
    return (xh @ W.t() + (b_ih + b_hh)).tanh()

# %% rnn_unroll | mistake: h0 stored as the first output | fails: test_rnn_unroll | says: do not include h0 in the outputs | student: m11-1
def rnn_unroll(cell, inputs, h0):
    hs = [h0]
    for x_t in inputs:
        hs.append(cell(x_t, hs[-1]))
    return torch.stack(hs), hs[-1]

# %% rnn_unroll | mistake: torch.cat instead of torch.stack | fails: test_rnn_unroll | says: not torch.cat | student: m11-2
def rnn_unroll(cell, inputs, h0):
    h = h0
    outputs = []
    for x_t in inputs:
        h = cell(x_t, h)
        outputs.append(h)
    return torch.cat(outputs), h

# %% rnn_unroll | mistake: hidden state detached at every step | fails: test_rnn_unroll | says: the graph is cut between steps | student: m11-3
def rnn_unroll(cell, inputs, h0):
    h = h0
    outputs = []
    for x_t in inputs:
        h = cell(x_t, h)
        outputs.append(h)
        h = h.detach()          # "to save memory"
    return torch.stack(outputs), h

# %% rnn_unroll | mistake: the first hidden state returned as h_last | fails: test_rnn_unroll | says: h_last must be the hidden state after the last step | student: m11-4
def rnn_unroll(cell, inputs, h0):
    h = h0
    outputs = []
    for x_t in inputs:
        h = cell(x_t, h)
        outputs.append(h)
    return torch.stack(outputs), outputs[0]

# %% rnn_unroll | alternative: preallocated output tensor filled by index | student: a11-1
def rnn_unroll(cell, inputs, h0):
    seq_len, batch = inputs.shape[0], inputs.shape[1]
    outputs = torch.zeros(seq_len, batch, h0.shape[1])
    h = h0
    for t in range(seq_len):
        h = cell(inputs[t], h)
        outputs[t] = h
    return outputs, h

# %% rnn_unroll | alternative: unsqueeze and torch.cat, h_last from the outputs | student: a11-2
def rnn_unroll(cell, inputs, h0):
    states = []
    hidden = h0
    for step in range(len(inputs)):
        hidden = cell(inputs[step], hidden)
        states.append(hidden.unsqueeze(0))
    outputs = torch.cat(states, dim=0)
    return outputs, outputs[-1]

# %% hello_data | mistake: F.one_hot gives integer inputs | fails: test_hello_data | says: F.one_hot returns integers | student: m11-1
def hello_data(src, dst, chars):
    idx = torch.tensor([chars.index(c) for c in src])
    inputs = nn.functional.one_hot(idx, len(chars)).unsqueeze(1)
    labels = torch.tensor([chars.index(c) for c in dst])
    return inputs, labels

# %% hello_data | mistake: batch dimension added first | fails: test_hello_data | says: goes second | student: m11-2
def hello_data(src, dst, chars):
    eye = torch.eye(len(chars))
    inputs = eye[[chars.index(c) for c in src]].unsqueeze(0)
    labels = torch.tensor([chars.index(c) for c in dst], dtype=torch.long)
    return inputs, labels

# %% hello_data | mistake: own dictionary from the strings, chars ignored | fails: test_hello_data | says: the one-hot size is len(chars) | student: m11-3
def hello_data(src, dst, chars):
    vocab = sorted(set(src + dst))
    eye = torch.eye(len(vocab))
    inputs = eye[[vocab.index(c) for c in src]].unsqueeze(1)
    labels = torch.tensor([vocab.index(c) for c in dst], dtype=torch.long)
    return inputs, labels

# %% hello_data | mistake: int32 labels | fails: test_hello_data | says: a LongTensor | student: m11-4
def hello_data(src, dst, chars):
    eye = torch.eye(len(chars))
    inputs = eye[[chars.index(c) for c in src]].unsqueeze(1)
    labels = torch.tensor([chars.index(c) for c in dst], dtype=torch.int32)
    return inputs, labels

# %% hello_data | alternative: F.one_hot converted to float, view | student: a11-1
def hello_data(src, dst, chars):
    index = {c: i for i, c in enumerate(chars)}
    x = nn.functional.one_hot(torch.tensor([index[c] for c in src]), num_classes=len(chars)).float()
    y = torch.LongTensor([index[c] for c in dst])
    return x.view(len(src), 1, len(chars)), y

# %% hello_data | alternative: loops filling a zeros tensor | student: a11-2
def hello_data(src, dst, chars):
    inputs = torch.zeros(len(src), 1, len(chars))
    labels = torch.zeros(len(dst), dtype=torch.long)
    for t in range(len(src)):
        inputs[t, 0, chars.index(src[t])] = 1.0
        labels[t] = chars.index(dst[t])
    return inputs, labels

# %% hello_rnn | mistake: batch_first=True on (seq_len, batch, input) data | fails: test_hello_rnn | says: do not set batch_first=True | student: m11-1
class HelloRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out).reshape(-1, self.fc.out_features)

# %% hello_rnn | mistake: the linear layer on h_n (last step only) | fails: test_hello_rnn | says: not h_n | student: m11-2
class HelloRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        _, h_n = self.rnn(x)
        return self.fc(h_n).reshape(-1, self.fc.out_features)

# %% hello_rnn | mistake: flattened in (batch, seq_len) order | fails: test_hello_rnn | says: flattened in (batch, seq_len) order | student: m11-3
class HelloRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out.transpose(0, 1)).reshape(-1, self.fc.out_features)

# %% hello_rnn | mistake: softmax on the logits | fails: test_hello_rnn | says: no activation or softmax on the logits | student: m11-4
class HelloRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(x)
        return torch.softmax(self.fc(out), dim=-1).reshape(-1, self.fc.out_features)

# %% hello_rnn | alternative: flatten first, then the linear layer; explicit zero h0 | student: a11-1
class HelloRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.hidden_size = hidden_size
        self.linear = nn.Linear(hidden_size, num_classes)
        self.rnn = nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=1)

    def forward(self, x):
        h0 = torch.zeros(1, x.size(1), self.hidden_size)
        out, _ = self.rnn(x, h0)
        return self.linear(out.view(-1, self.hidden_size))

# %% hello_rnn | alternative: sizes kept, flatten with reshape(seq_len * batch, -1) | student: a11-2
class HelloRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super().__init__()
        self.num_classes = num_classes
        self.cell = nn.RNN(input_size, hidden_size)
        self.out = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        seq_len, batch, _ = x.shape
        y, h = self.cell(x)
        return self.out(y).reshape(seq_len * batch, self.num_classes)

# %% train_hello | mistake: optimizer.zero_grad() forgotten | fails: test_train_hello | says: zero_grad() is missing | student: m11-1
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=loss.item())
    return losses

# %% train_hello | mistake: learning rate hard-coded, lr ignored | fails: test_train_hello | says: the lr argument is ignored | student: m11-2
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=loss.item())
    return losses

# %% train_hello | mistake: the loss tensors appended (graphs kept alive) | fails: test_train_hello | says: not the tensor | student: m11-3
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss)
        if plot is not None:
            plot.add(epoch, loss=loss.item())
    return losses

# %% train_hello | mistake: forward pass computed once, before the loop | fails: test_train_hello | says: graph of an earlier step | student: m11-4
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    outputs = model(inputs)
    losses = []
    for epoch in range(epochs):
        loss = criterion(outputs, labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=loss.item())
    return losses

# %% train_hello | mistake: SGD instead of Adam | fails: test_train_hello | says: not SGD | student: m11-5
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=loss.item())
    return losses

# %% train_hello | alternative: F.cross_entropy, model.zero_grad() first, float(loss) | student: a11-1
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for e in range(epochs):
        model.zero_grad()
        logits = model(inputs)
        loss = nn.functional.cross_entropy(logits, labels)
        loss.backward()
        opt.step()
        value = float(loss.detach())
        history.append(value)
        if plot:
            plot.add(e, loss=value)
    return history

# %% train_hello | alternative: model.train(), set_to_none, a while loop | student: a11-2
def train_hello(model, inputs, labels, epochs=30, lr=0.05, plot=None):
    model.train()
    loss_fn = nn.CrossEntropyLoss(reduction="mean")
    optimizer = torch.optim.Adam(params=model.parameters(), lr=lr)
    losses = []
    epoch = 0
    while epoch < epochs:
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch + 1, loss=losses[-1])
        epoch += 1
    return losses

# %% embed_rnn | mistake: batch_first left out | fails: test_embed_rnn | says: batch_first=True | student: m11-1
class EmbedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, num_layers=2):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers=num_layers)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.fc(out).reshape(-1, self.fc.out_features)

# %% embed_rnn | mistake: num_layers hard-coded to 2 | fails: test_embed_rnn | says: num_layers must be passed on | student: m11-2
class EmbedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, num_layers=2):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers=2, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.fc(out).reshape(-1, self.fc.out_features)

# %% embed_rnn | mistake: nn.Embedding's arguments swapped | fails: test_embed_rnn | says: Look at the sizes | student: m11-3
class EmbedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, num_layers=2):
        super().__init__()
        self.emb = nn.Embedding(embedding_dim, vocab_size)
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.fc(out).reshape(-1, self.fc.out_features)

# %% embed_rnn | mistake: flattened in (seq_len, batch) order | fails: test_embed_rnn | says: (batch, seq_len) order | student: m11-4
class EmbedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, num_layers=2):
        super().__init__()
        self.emb = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out, _ = self.rnn(self.emb(x))
        return self.fc(out.transpose(0, 1)).reshape(-1, self.fc.out_features)

# %% embed_rnn | alternative: flatten before the linear layer, explicit h0 | student: a11-1
class EmbedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, num_layers=2):
        super().__init__()
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.fc = nn.Linear(hidden_size, num_classes)
        self.rnn = nn.RNN(input_size=embedding_dim, hidden_size=hidden_size, num_layers=num_layers, batch_first=True)
        self.embedding = nn.Embedding(num_embeddings=vocab_size, embedding_dim=embedding_dim)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        out, _ = self.rnn(self.embedding(x), h0)
        return self.fc(out.reshape(-1, self.hidden_size))

# %% embed_rnn | alternative: view with the sizes of x | student: a11-2
class EmbedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_size, num_classes, num_layers=2):
        super().__init__()
        self.num_classes = num_classes
        self.emb = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        batch, seq_len = x.shape
        y = self.fc(self.rnn(self.emb(x))[0])           # (batch, seq_len, num_classes)
        return y.contiguous().view(batch * seq_len, self.num_classes)

# %% rnn_shapes | mistake: bidirectional doubles output but not h_n | fails: test_rnn_shapes | says: h_n holds num_layers * 2 states | student: m11-1
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    d = 2 if bidirectional else 1
    out = (batch, seq_len, d * hidden_size) if batch_first else (seq_len, batch, d * hidden_size)
    return out, (num_layers, batch, hidden_size)

# %% rnn_shapes | mistake: shapes returned as lists | fails: test_rnn_shapes | says: must be a tuple of ints | student: m11-2
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    d = 2 if bidirectional else 1
    out = [batch, seq_len, d * hidden_size] if batch_first else [seq_len, batch, d * hidden_size]
    return out, [d * num_layers, batch, hidden_size]

# %% rnn_shapes | mistake: the layers multiply the output size | fails: test_rnn_shapes | says: output is (seq_len, batch, hidden_size) | student: m11-3
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    d = 2 if bidirectional else 1
    features = d * num_layers * hidden_size
    out = (batch, seq_len, features) if batch_first else (seq_len, batch, features)
    return out, (d * num_layers, batch, hidden_size)

# %% rnn_shapes | mistake: bidirectional doubles h_n's hidden size instead of its first dimension | fails: test_rnn_shapes | says: h_n holds num_layers * 2 states | student: m11-4
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    d = 2 if bidirectional else 1
    out = (batch, seq_len, d * hidden_size) if batch_first else (seq_len, batch, d * hidden_size)
    return out, (num_layers, batch, d * hidden_size)

# %% rnn_shapes | alternative: if/else branches, tuple() of lists | student: a11-1
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    num_directions = 1
    if bidirectional:
        num_directions = 2
    if batch_first:
        output = [batch, seq_len]
    else:
        output = [seq_len, batch]
    output.append(hidden_size * num_directions)
    h_n = [num_layers * num_directions, batch, hidden_size]
    return tuple(output), tuple(h_n)

# %% rnn_shapes | alternative: int(bool) arithmetic | student: a11-2
def rnn_shapes(seq_len, batch, input_size, hidden_size, num_layers, batch_first=False, bidirectional=False):
    directions = 1 + int(bidirectional)
    first, second = (batch, seq_len) if batch_first else (seq_len, batch)
    return (first, second, hidden_size * directions), (num_layers * directions, batch, hidden_size)
