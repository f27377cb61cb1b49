"""A TF1-style graph model (placeholders, named tensors, a session) tuned with `TensorflowRunner`.

This is how code written for TensorFlow 1 and the original HyperEngine migrates: build the graph from the
hyper-parameters with `tf.compat.v1`, name the tensors 'input', 'label', 'mode', 'loss', 'accuracy' and the
training op 'minimize', and hand the graph to `TensorflowSolver`. Each graph lives in its own `tf.Graph`, so
eager execution stays on for the rest of the program. Run:

    python examples/tf1_graph.py --trials 10 --epochs 5
"""

from __future__ import annotations

import argparse
from typing import Any

import hyperengine
from hyperengine import spec
from hyperengine.demo import load_digits_data
from hyperengine.model import Data, DataSet
from hyperengine.tensorflow import TensorflowSolver

SPACE = {
    "learning_rate": 10 ** spec.uniform(-3, -0.5),
    "hidden": spec.choice([32, 64, 128]),
    "keep_prob": spec.uniform(0.5, 1.0),
}


def build_graph(params: dict[str, Any]) -> Any:
    """A one-hidden-layer network whose dropout is on only when 'mode' is fed 'train'."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 64], name="input")
        y = v1.placeholder(tf.int64, [None], name="label")
        mode = v1.placeholder_with_default("test", [], name="mode")
        init = v1.glorot_uniform_initializer()
        w1 = v1.get_variable("w1", [64, params["hidden"]], initializer=init)
        b1 = v1.get_variable("b1", [params["hidden"]], initializer=v1.zeros_initializer())
        hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        rate = tf.where(tf.equal(mode, "train"), 1.0 - params["keep_prob"], 0.0)
        hidden = tf.nn.dropout(hidden, rate=rate)
        w2 = v1.get_variable("w2", [params["hidden"], 10], initializer=init)
        b2 = v1.get_variable("b2", [10], initializer=v1.zeros_initializer())
        logits = tf.matmul(hidden, w2) + b2
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits), name="loss"
        )
        tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32), name="accuracy")
        v1.train.AdamOptimizer(params["learning_rate"]).minimize(loss, name="minimize")
    return graph


def main(trials: int = 10, epochs: int = 5, seed: int = 0, verbose: bool = True) -> Any:
    """Run the study; returns it."""
    import tensorflow as tf

    arrays = load_digits_data(seed)
    study = hyperengine.create_study(SPACE, direction="maximize", seed=seed)

    def objective(params: dict[str, Any], trial: Any) -> float:
        data = Data(*(DataSet(*arrays[name], seed=seed) for name in ("train", "validation", "test")))
        graph = build_graph(params)
        with graph.as_default():
            tf.compat.v1.set_random_seed(
                seed + trial.number
            )  # graph-level seed: the same params train the same
        solver = TensorflowSolver(data, graph, params, epochs=epochs, batch_size=64, trial=trial)
        score = solver.train()
        if verbose:
            print(
                f"trial {trial.number:2d}: val_accuracy={score:.4f}  lr={params['learning_rate']:.2e} "
                f"hidden={params['hidden']} keep_prob={params['keep_prob']:.2f}",
                flush=True,
            )
        return score

    study.optimize(objective, n_trials=trials)
    if verbose:
        print(f"best: val_accuracy={study.best_value:.4f}  {study.best_params}")
    return study


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    main(arguments.trials, arguments.epochs, arguments.seed)
