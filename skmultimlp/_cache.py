"""Compiled training loops kept across fits: the cache key and a bounded, thread-safe pool.

Compiling the training loop costs about a second; running it for a small fit costs a few
tens of milliseconds. The folds of a cross-validation and the candidates of a grid search
that share an architecture therefore reuse one compiled loop, each fit loading its own
freshly initialised weights and a fresh optimizer state into it (see ``_loops``).

A loop is checked out by one fit at a time and checked back in afterwards, so concurrent
fits (threads) never share one; a second concurrent fit with the same key compiles its own.
"""

import json
import threading
from collections import OrderedDict

import keras

MAX_LOOPS = 16


# Layers whose configuration describes them fully: Keras' own and ours (_network).
_KNOWN_LAYER_MODULES = ("keras.", "skmultimlp.")


def _layers(model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _layers(layer)


def _layer_names(config):
    """Names of the layers a model config lists (input layers included), nested too."""
    names = []
    for entry in config.get("layers", []) if isinstance(config, dict) else []:
        layer_config = entry.get("config", {})
        if "name" in layer_config:
            names.append(layer_config["name"])
        names.extend(_layer_names(layer_config))
    return names


def _canonical(value, names):
    """``value`` with layer names replaced by their position and seeds removed."""
    if isinstance(value, dict):
        return {k: _canonical(v, names) for k, v in value.items() if k != "seed"}
    if isinstance(value, (list, tuple)):
        return [_canonical(v, names) for v in value]
    if isinstance(value, str) and value in names:
        return names[value]
    return value


def loop_key(model, optimizer, **shape):
    """A hashable description of everything a compiled loop bakes in, or None.

    Two fits with equal keys can share a compiled loop: same layer graph and layer
    settings (initializer seeds and auto-generated layer names aside), same optimizer
    settings (the learning rate aside, which is loaded per fit), same input and batch
    shape. Models whose configuration may not describe them fully (subclassed models,
    layers from outside Keras and skmultimlp) get None: they are compiled for each fit.
    """
    if not type(model).__module__.startswith("keras."):
        return None
    layers = list(_layers(model))
    if not all(type(layer).__module__.startswith(_KNOWN_LAYER_MODULES) for layer in layers):
        return None
    config = model.get_config()
    names = {name: f"#{i}" for i, name in enumerate(_layer_names(config))}
    names[model.name] = "#model"
    opt_config = dict(optimizer.get_config())
    opt_config.pop("name", None)
    if not isinstance(opt_config.get("learning_rate"), dict):  # a schedule stays in the key
        opt_config.pop("learning_rate", None)
    description = {
        "backend": keras.backend.backend(),
        "model": _canonical(config, names),
        "optimizer": [type(optimizer).__qualname__, opt_config],
        **shape,
    }
    return json.dumps(description, sort_keys=True, default=repr)


class LoopPool:
    """At most ``maxsize`` idle compiled loops, least recently used evicted first."""

    def __init__(self, maxsize=MAX_LOOPS):
        self.maxsize = maxsize
        self._idle = OrderedDict()  # key -> list of idle loops
        self._lock = threading.Lock()

    def checkout(self, key):
        """An idle loop for ``key`` (now owned by the caller), or None."""
        if key is None:
            return None
        with self._lock:
            loops = self._idle.get(key)
            if not loops:
                return None
            self._idle.move_to_end(key)
            loop = loops.pop()
            if not loops:
                del self._idle[key]
            return loop

    def checkin(self, key, loop):
        """Give ``loop`` back for later fits with the same ``key``."""
        if key is None:
            return
        with self._lock:
            self._idle.setdefault(key, []).append(loop)
            self._idle.move_to_end(key)
            while len(self) > self.maxsize:
                oldest = next(iter(self._idle))
                self._idle[oldest].pop(0)
                if not self._idle[oldest]:
                    del self._idle[oldest]

    def clear(self):
        with self._lock:
            self._idle.clear()

    def __len__(self):
        return sum(len(loops) for loops in self._idle.values())


POOL = LoopPool()
