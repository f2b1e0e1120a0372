"""The latent explorer: a local web page that turns codes into images and images into codes (`infogan-explore`).

`sources` opens the models (an export folder, a workdir's Keras models, or a running TF Serving), `service` checks and
answers the page's requests, `server` serves the page over the standard library's HTTP server.
"""
