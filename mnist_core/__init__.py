"""mnist_core: MNIST data, preprocessing, models, training, the model store and the CLI.

No Streamlit here. The modules at this level are numpy-only and cheap to import; every
TensorFlow import is in mnist_core.tf, which runs in the child processes
(mnist_core.processes), the CLI and the benchmarks, never in the Streamlit server
(tests/test_layout.py checks it).
"""
