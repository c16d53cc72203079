"""The app's TensorFlow child processes, each module with both ends of its conversation.

The parent side runs in the Streamlit server and stays free of TensorFlow; the child
side (`child_main`, started by child.spawn as `python -m <module>`) is the one place that
imports mnist_core.tf.
"""
