# Typical beginner mistakes in 12 RNN classifier, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% names_to_tensor | fails: test_names_to_tensor | says: padding must be 0
def names_to_tensor(names):
    # pads with spaces: a real character (code 32) that the embedding cannot tell from a letter
    longest = max(len(n) for n in names)
    codes = torch.tensor([[ord(c) for c in n.ljust(longest)] for n in names], dtype=torch.long)
    lengths = torch.tensor([len(n) for n in names], dtype=torch.long)
    return codes, lengths

# %% final_hidden | fails: test_final_hidden, test_classifier, test_trained_accuracy | says: concatenate both directions
def final_hidden(h_n, bidirectional):
    # keeps only the last entry of h_n: the backward direction of the top layer
    return h_n[-1]

# %% classifier | fails: test_classifier, test_trained_accuracy | says: lengths that are not sorted
class NameClassifier(nn.Module):
    def __init__(self, vocab_size, hidden_size, num_classes, num_layers=2, bidirectional=True):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, hidden_size, padding_idx=0)
        self.gru = nn.GRU(hidden_size, hidden_size, num_layers, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, codes, lengths):
        # pack_padded_sequence with its default enforce_sorted=True, on a batch that is not sorted by length
        packed = pack_padded_sequence(self.embedding(codes), lengths.cpu(), batch_first=True)
        _, h_n = self.gru(packed)
        return self.fc(final_hidden(h_n, self.bidirectional))

# %% accuracy | fails: test_accuracy | says: torch.no_grad()
def accuracy(model, pairs, country_index, batch_size=1024):
    # evaluates with autograd on (a graph per batch) and the model still in training mode
    device = next(model.parameters()).device
    correct = 0
    for k in range(0, len(pairs), batch_size):
        batch = pairs[k:k + batch_size]
        codes, lengths = names_to_tensor([n for n, _ in batch])
        labels = torch.tensor([country_index[c] for _, c in batch], device=device)
        correct += (model(codes.to(device), lengths).argmax(dim=1) == labels).sum().item()
    return correct / len(pairs)
