"""The twelve lectures, in order: each is a folder ``source/<name>/<name>.ipynb``."""
LECTURES = (
    "01_linear_model",
    "02_gradient_descent",
    "03_back_propagation",
    "04_linear_regression",
    "05_logistic_regression",
    "06_multiple_dimension_input",
    "07_dataset_and_dataloader",
    "08_softmax_classifier",
    "09_cnn_basics",
    "10_cnn_advanced",
    "11_rnn_basics",
    "12_rnn_classifier",
)
