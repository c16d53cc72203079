"""mnist_core: MNIST data, Keras models, training, the model store, and canvas preprocessing.

No Streamlit here. Importing the package is cheap: TensorFlow loads only with the modules
that need it (models, augment, training); data, preprocess, store and images never import it.
"""
