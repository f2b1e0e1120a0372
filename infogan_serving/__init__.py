"""Client of the InfoGAN servables on TF Serving: request building, validation, image I/O, REST and gRPC transports.

A package of its own, next to `infogan_tf`, because importing `infogan_tf` loads TensorFlow and Keras (it registers
the layers `keras.models.load_model` needs), while this client needs only numpy and Pillow for REST; gRPC imports
`tensorflow-serving-api` when it is used.
"""
