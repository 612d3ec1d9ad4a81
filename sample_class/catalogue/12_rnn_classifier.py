# Mistake catalogue of 12 RNN classifier (issue 11): plausible beginner mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md. names_to_tensor is used by the later answers, final_hidden by
# the classifier: their mistakes get students of their own.

# %% names_to_tensor | mistake: codes in a float tensor (torch.zeros without dtype) | fails: test_names_to_tensor, test_train_epoch, test_trained_accuracy | says: torch.zeros makes floats
def names_to_tensor(names):
    lengths = torch.tensor([len(n) for n in names])
    codes = torch.zeros(len(names), max(len(n) for n in names))
    for i, name in enumerate(names):
        for t, c in enumerate(name):
            codes[i, t] = ord(c)
    return codes, lengths

# %% names_to_tensor | mistake: lengths returned as a Python list | fails: test_names_to_tensor, test_train_epoch, test_accuracy, test_predict_topk, test_trained_accuracy | says: lengths: expected a torch.Tensor
def names_to_tensor(names):
    lengths = [len(n) for n in names]
    codes = torch.zeros(len(names), max(lengths), dtype=torch.long)
    for i, name in enumerate(names):
        codes[i, :len(name)] = torch.tensor([ord(c) for c in name])
    return codes, lengths

# %% names_to_tensor | mistake: names padded on the left | fails: test_names_to_tensor, test_trained_accuracy | says: padding goes on the right
def names_to_tensor(names):
    longest = max(len(n) for n in names)
    codes = torch.zeros(len(names), longest, dtype=torch.long)
    for i, name in enumerate(names):
        codes[i, longest - len(name):] = torch.tensor([ord(c) for c in name])
    return codes, torch.tensor([len(n) for n in names])

# %% names_to_tensor | alternative: pad_sequence from torch.nn.utils.rnn | student: a12-1
from torch.nn.utils.rnn import pad_sequence

def names_to_tensor(names):
    seqs = [torch.tensor([ord(c) for c in name], dtype=torch.long) for name in names]
    codes = pad_sequence(seqs, batch_first=True, padding_value=0)
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    return codes, lengths

# %% names_to_tensor | alternative: padded Python lists, then one torch.tensor | student: a12-2
def names_to_tensor(names):
    max_len = max(map(len, names))
    rows = [[ord(ch) for ch in name] + [0] * (max_len - len(name)) for name in names]
    return torch.tensor(rows, dtype=torch.long), torch.LongTensor([len(name) for name in names])

# %% final_hidden | mistake: the two directions concatenated on dim 0 | fails: test_final_hidden, test_classifier, test_trained_accuracy | says: not the batch | student: m12-1
def final_hidden(h_n, bidirectional):
    if bidirectional:
        return torch.cat([h_n[-2], h_n[-1]])
    return h_n[-1]

# %% final_hidden | mistake: backward state first | fails: test_final_hidden | says: the two directions are swapped | student: m12-2
def final_hidden(h_n, bidirectional):
    if bidirectional:
        return torch.cat([h_n[-1], h_n[-2]], dim=1)
    return h_n[-1]

# %% final_hidden | mistake: bidirectional flag ignored, always two states | fails: test_final_hidden, test_classifier | says: with bidirectional=False do not concatenate | student: m12-3
def final_hidden(h_n, bidirectional):
    return torch.cat([h_n[-2], h_n[-1]], dim=1)

# %% final_hidden | alternative: view as (layers, directions, batch, hidden) | student: a12-1
def final_hidden(h_n, bidirectional):
    directions = 2 if bidirectional else 1
    top = h_n.view(-1, directions, h_n.size(1), h_n.size(2))[-1]      # (directions, batch, hidden)
    return torch.cat(list(top), dim=-1)

# %% final_hidden | alternative: permute the last states and reshape | student: a12-2
def final_hidden(h_n, bidirectional):
    if not bidirectional:
        return h_n[-1]
    last_two = h_n[-2:]                                     # (2, batch, hidden)
    return last_two.permute(1, 0, 2).reshape(h_n.shape[1], -1)

# %% classifier | mistake: linear layer sized for one direction | fails: test_classifier, test_trained_accuracy | says: 2 * hidden_size when bidirectional | student: m12-5
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, hidden_size, padding_idx=0)
        self.gru = nn.GRU(hidden_size, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, codes, lengths):
        packed = pack_padded_sequence(self.embedding(codes), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_n = self.gru(packed)
        return self.fc(final_hidden(h_n, self.bidirectional))

# %% classifier | mistake: num_layers hard-coded to 2 | fails: test_classifier | says: pass the constructor's arguments on | student: m12-6
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, hidden_size, padding_idx=0)
        self.gru = nn.GRU(hidden_size, hidden_size, 2, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, codes, lengths):
        packed = pack_padded_sequence(self.embedding(codes), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_n = self.gru(packed)
        return self.fc(final_hidden(h_n, self.bidirectional))

# %% classifier | mistake: padding_idx forgotten | fails: test_classifier | says: padding_idx=0 | student: m12-7
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, codes, lengths):
        packed = pack_padded_sequence(self.embedding(codes), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, h_n = self.gru(packed)
        return self.fc(final_hidden(h_n, self.bidirectional))

# %% classifier | mistake: GRU run on the padded batch, no packing | fails: test_classifier | says: Pack the batch | student: m12-4
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, hidden_size, padding_idx=0)
        self.gru = nn.GRU(hidden_size, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, codes, lengths):
        _, h_n = self.gru(self.embedding(codes))
        return self.fc(final_hidden(h_n, self.bidirectional))

# %% classifier | alternative: the batch sorted by hand, then unsorted; torch.cat of h_n | student: a12-1
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bidirectional = bidirectional
        self.directions = 2 if bidirectional else 1
        self.fc = nn.Linear(self.directions * hidden_size, num_classes)
        self.gru = nn.GRU(input_size=hidden_size, hidden_size=hidden_size, num_layers=num_layers,
                          batch_first=True, bidirectional=bidirectional)
        self.embedding = nn.Embedding(vocab_size, hidden_size, padding_idx=0)

    def forward(self, codes, lengths):
        sorted_lengths, order = torch.sort(lengths.cpu(), descending=True)
        packed = pack_padded_sequence(self.embedding(codes[order.to(codes.device)]), sorted_lengths, batch_first=True)
        _, h_n = self.gru(packed)
        hidden = final_hidden(h_n, self.bidirectional)
        unsorted = torch.empty_like(hidden)
        unsorted[order.to(hidden.device)] = hidden
        return self.fc(unsorted)

# %% classifier | alternative: lengths as a list, an nn.Sequential head | student: a12-2
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bi = bidirectional
        self.emb = nn.Embedding(vocab_size, hidden_size, padding_idx=0)
        self.rnn = nn.GRU(hidden_size, hidden_size, num_layers=num_layers, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Sequential(nn.Linear(hidden_size * (1 + int(bidirectional)), num_classes))

    def forward(self, codes, lengths):
        x = self.emb(codes)
        packed = pack_padded_sequence(x, lengths.tolist(), batch_first=True, enforce_sorted=False)
        out, h_n = self.rnn(packed)
        return self.head(final_hidden(h_n, self.bi))

# %% train_epoch | mistake: the caller's list shuffled in place | fails: test_train_epoch | says: shuffles it in place | student: m12-1
def train_epoch(model, optimizer, pairs, country_index, batch_size=256, plot=None, epoch=0):
    device = next(model.parameters()).device
    criterion = nn.CrossEntropyLoss()
    random.shuffle(pairs)
    model.train()
    n_batches = (len(pairs) + batch_size - 1) // batch_size
    total = 0.0
    for k in course.progress(range(n_batches), desc=f"epoch {epoch + 1}", leave=False):
        batch = pairs[k * batch_size:(k + 1) * batch_size]
        codes, lengths = names_to_tensor([n for n, _ in batch])
        labels = torch.tensor([country_index[c] for _, c in batch], device=device)
        loss = criterion(model(codes.to(device), lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        if plot is not None:
            plot.add(epoch + k / n_batches, loss=loss.item())
    return total / n_batches

# %% train_epoch | mistake: the last, smaller batch dropped | fails: test_train_epoch | says: the last one smaller | student: m12-2
def train_epoch(model, optimizer, pairs, country_index, batch_size=256, plot=None, epoch=0):
    device = next(model.parameters()).device
    criterion = nn.CrossEntropyLoss()
    pairs = list(pairs)
    random.shuffle(pairs)
    n_batches = len(pairs) // batch_size
    total = 0.0
    for k in course.progress(range(n_batches), desc=f"epoch {epoch + 1}", leave=False):
        batch = pairs[k * batch_size:(k + 1) * batch_size]
        codes, lengths = names_to_tensor([n for n, _ in batch])
        labels = torch.tensor([country_index[c] for _, c in batch], device=device)
        loss = criterion(model(codes.to(device), lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        if plot is not None:
            plot.add(epoch + k / n_batches, loss=loss.item())
    return total / n_batches

# %% train_epoch | mistake: loss tensors summed, .item() once at the end | fails: test_train_epoch | says: graphs of earlier batches are kept alive | student: m12-3
def train_epoch(model, optimizer, pairs, country_index, batch_size=256, plot=None, epoch=0):
    device = next(model.parameters()).device
    criterion = nn.CrossEntropyLoss()
    pairs = list(pairs)
    random.shuffle(pairs)
    n_batches = (len(pairs) + batch_size - 1) // batch_size
    total = 0
    for k in course.progress(range(n_batches), desc=f"epoch {epoch + 1}", leave=False):
        batch = pairs[k * batch_size:(k + 1) * batch_size]
        codes, lengths = names_to_tensor([n for n, _ in batch])
        labels = torch.tensor([country_index[c] for _, c in batch], device=device)
        loss = criterion(model(codes.to(device), lengths), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total = total + loss
        if plot is not None:
            plot.add(epoch + k / n_batches, loss=loss.item())
    return total.item() / n_batches

# %% train_epoch | mistake: a new optimizer instead of the one passed in | fails: test_train_epoch | says: use the optimizer argument | student: m12-4
def train_epoch(model, optimizer, pairs, country_index, batch_size=256, plot=None, epoch=0):
    device = next(model.parameters()).device
    criterion = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    pairs = list(pairs)
    random.shuffle(pairs)
    n_batches = (len(pairs) + batch_size - 1) // batch_size
    total = 0.0
    for k in course.progress(range(n_batches), desc=f"epoch {epoch + 1}", leave=False):
        batch = pairs[k * batch_size:(k + 1) * batch_size]
        codes, lengths = names_to_tensor([n for n, _ in batch])
        labels = torch.tensor([country_index[c] for _, c in batch], device=device)
        loss = criterion(model(codes.to(device), lengths), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        if plot is not None:
            plot.add(epoch + k / n_batches, loss=loss.item())
    return total / n_batches

# %% train_epoch | alternative: random.sample copy, a range with a step, a list of floats | student: a12-1
def train_epoch(model, optimizer, pairs, country_index, batch_size=256, plot=None, epoch=0):
    device = next(model.parameters()).device
    shuffled = random.sample(pairs, len(pairs))
    n_batches = -(-len(shuffled) // batch_size)
    batch_losses = []
    for k, start in enumerate(course.progress(range(0, len(shuffled), batch_size), desc="train")):
        chunk = shuffled[start:start + batch_size]
        codes, lengths = names_to_tensor([name for name, _ in chunk])
        target = torch.tensor([country_index[country] for _, country in chunk], dtype=torch.long).to(device)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(codes.to(device), lengths), target)
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.item())
        if plot is not None:
            plot.add(epoch + k / n_batches, loss=batch_losses[-1])
    return float(np.mean(batch_losses))

# %% train_epoch | alternative: copy with pairs[:], mean weighted by batch size | student: a12-2
def train_epoch(model, optimizer, pairs, country_index, batch_size=256, plot=None, epoch=0):
    device = next(model.parameters()).device
    data = pairs[:]
    random.shuffle(data)
    loss_fn = nn.CrossEntropyLoss()
    n_batches = (len(data) - 1) // batch_size + 1
    weighted, count = 0.0, 0
    model.train()
    for k in course.progress(range(n_batches)):
        batch = data[k * batch_size:(k + 1) * batch_size]
        names = [p[0] for p in batch]
        labels = torch.LongTensor([country_index[p[1]] for p in batch]).to(device)
        codes, lengths = names_to_tensor(names)
        logits = model(codes.to(device), lengths)
        loss = loss_fn(logits, labels)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        weighted += loss.item() * len(batch)
        count += len(batch)
        if plot:
            plot.add(epoch + k / n_batches, loss=loss.item())
    return weighted / count

# %% accuracy | mistake: model.eval() forgotten | fails: test_accuracy | says: call model.eval() | student: m12-1
def accuracy(model, pairs, country_index, batch_size=1024):
    device = next(model.parameters()).device
    correct = 0
    with torch.no_grad():
        for k in range(0, len(pairs), batch_size):
            batch = pairs[k:k + batch_size]
            codes, lengths = names_to_tensor([n for n, _ in batch])
            labels = torch.tensor([country_index[c] for _, c in batch], device=device)
            correct += (model(codes.to(device), lengths).argmax(dim=1) == labels).sum().item()
    return correct / len(pairs)

# %% accuracy | mistake: divided by the number of batches times batch_size | fails: test_accuracy | says: divide by the number of pairs | student: m12-2
def accuracy(model, pairs, country_index, batch_size=1024):
    device = next(model.parameters()).device
    model.eval()
    correct, n_batches = 0, 0
    with torch.no_grad():
        for k in range(0, len(pairs), batch_size):
            batch = pairs[k:k + batch_size]
            codes, lengths = names_to_tensor([n for n, _ in batch])
            labels = torch.tensor([country_index[c] for _, c in batch], device=device)
            correct += (model(codes.to(device), lengths).argmax(dim=1) == labels).sum().item()
            n_batches += 1
    return correct / (n_batches * batch_size)

# %% accuracy | mistake: a tensor returned | fails: test_accuracy | says: returned a tensor | student: m12-3
def accuracy(model, pairs, country_index, batch_size=1024):
    device = next(model.parameters()).device
    model.eval()
    hits = []
    with torch.no_grad():
        for k in range(0, len(pairs), batch_size):
            batch = pairs[k:k + batch_size]
            codes, lengths = names_to_tensor([n for n, _ in batch])
            labels = torch.tensor([country_index[c] for _, c in batch], device=device)
            hits.append(model(codes.to(device), lengths).argmax(dim=1) == labels)
    return torch.cat(hits).float().mean()

# %% accuracy | mistake: batch_size ignored, one batch of everything | fails: test_accuracy | says: use batch_size | student: m12-4
def accuracy(model, pairs, country_index, batch_size=1024):
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        codes, lengths = names_to_tensor([n for n, _ in pairs])
        labels = torch.tensor([country_index[c] for _, c in pairs], device=device)
        correct = (model(codes.to(device), lengths).argmax(dim=1) == labels).sum().item()
    return correct / len(pairs)

# %% accuracy | alternative: torch.inference_mode, numpy count | student: a12-1
def accuracy(model, pairs, country_index, batch_size=1024):
    device = next(model.parameters()).device
    model.eval()
    right = 0
    with torch.inference_mode():
        for start in range(0, len(pairs), batch_size):
            names, labels = zip(*pairs[start:start + batch_size])
            codes, lengths = names_to_tensor(list(names))
            predicted = model(codes.to(device), lengths).argmax(1).cpu().numpy()
            right += int(np.sum(predicted == np.array([country_index[c] for c in labels])))
    return right / len(pairs)

# %% accuracy | alternative: per-batch means weighted by size, np.float64 result | student: a12-2
def accuracy(model, pairs, country_index, batch_size=1024):
    model.eval()
    device = next(model.parameters()).device
    scores, sizes = [], []
    with torch.no_grad():
        for k in range(0, len(pairs), batch_size):
            chunk = pairs[k:k + batch_size]
            codes, lengths = names_to_tensor([n for n, _ in chunk])
            y = torch.tensor([country_index[c] for _, c in chunk]).to(device)
            scores.append((model(codes.to(device), lengths).argmax(dim=1) == y).float().mean().item())
            sizes.append(len(chunk))
    return np.average(scores, weights=sizes)

# %% predict_topk | mistake: raw logits reported as probabilities | fails: test_predict_topk | says: not the raw logits | student: m12-1
def predict_topk(model, name, countries, k=3):
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        codes, lengths = names_to_tensor([name])
        logits = model(codes.to(device), lengths)[0]
        top = torch.topk(logits, k)
    return [(countries[i], float(v)) for v, i in zip(top.values.tolist(), top.indices.tolist())]

# %% predict_topk | mistake: softmax over the batch dimension | fails: test_predict_topk | says: dim=0 | student: m12-2
def predict_topk(model, name, countries, k=3):
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        codes, lengths = names_to_tensor([name])
        probs = torch.softmax(model(codes.to(device), lengths), dim=0)[0]
        top = torch.topk(probs, k)
    return [(countries[i], float(p)) for p, i in zip(top.values.tolist(), top.indices.tolist())]

# %% predict_topk | mistake: k ignored, always three | fails: test_predict_topk | says: use the k argument | student: m12-3
def predict_topk(model, name, countries, k=3):
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        codes, lengths = names_to_tensor([name])
        probs = torch.softmax(model(codes.to(device), lengths), dim=1)[0]
        top = torch.topk(probs, 3)
    return [(countries[i], float(p)) for p, i in zip(top.values.tolist(), top.indices.tolist())]

# %% predict_topk | mistake: model.eval() forgotten | fails: test_predict_topk | says: call model.eval() | student: m12-4
def predict_topk(model, name, countries, k=3):
    device = next(model.parameters()).device
    with torch.no_grad():
        codes, lengths = names_to_tensor([name])
        probs = torch.softmax(model(codes.to(device), lengths), dim=1)[0]
        top = torch.topk(probs, k)
    return [(countries[i], float(p)) for p, i in zip(top.values.tolist(), top.indices.tolist())]

# %% predict_topk | alternative: argsort of the probabilities, .item() | student: a12-1
def predict_topk(model, name, countries, k=3):
    model.eval()
    device = next(model.parameters()).device
    codes, lengths = names_to_tensor([name])
    with torch.no_grad():
        probs = nn.functional.softmax(model(codes.to(device), lengths), dim=-1).squeeze(0)
    order = torch.argsort(probs, descending=True)[:k]
    return [(countries[int(i)], probs[i].item()) for i in order]

# %% predict_topk | alternative: numpy sort of the softmax, np.float64 probabilities | student: a12-2
def predict_topk(model, name, countries, k=3):
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        codes = torch.tensor([[ord(c) for c in name]], device=device)
        lengths = torch.tensor([len(name)])
        p = torch.softmax(model(codes, lengths), dim=1).cpu().numpy()[0].astype(np.float64)
    best = np.argsort(-p)[:k]
    return [(countries[i], p[i]) for i in best]
