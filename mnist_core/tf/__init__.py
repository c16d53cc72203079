"""The code that needs TensorFlow and Keras, and the only modules that import them.

It runs in the TensorFlow processes (mnist_core.processes: training, predictions), the
CLI once its checks have passed, and the benchmarks; never in the Streamlit server, which
clears the Keras session after every script run once Keras is imported there.
tests/test_layout.py checks that nothing outside this package imports TensorFlow.
"""
