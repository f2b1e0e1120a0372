"""first_line: one readable line out of an exception, TF's op decorations removed."""

import pytest
import tensorflow as tf

from infogan_tf.messages import first_line


def test_tf_op_decorations_are_removed():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.io.decode_image(tf.constant(b"not an image"))
    line = first_line(info.value)
    assert line.startswith("Unknown image file format")
    assert "function_node" not in line and "[Op:" not in line


def test_graph_node_suffix_and_extra_lines_are_removed():
    error = tf.errors.InvalidArgumentError(None, None, "indices[0] = 12 is not in [0, 10) [[{{node one_hot}}]]\nmore")
    assert first_line(error) == "indices[0] = 12 is not in [0, 10)"


def test_an_empty_message_gives_the_type_name():
    assert first_line(OSError()) == "OSError"
    assert first_line(ValueError("plain\nsecond")) == "plain"
