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
import types
import weakref
from collections import OrderedDict

import keras

MAX_LOOPS = 16


# Code whose configuration describes it fully: Keras' own and ours (_network).
_KNOWN_PACKAGES = ("keras", "skmultimlp")


def _in_known_package(module):
    """Whether the module name ``module`` is Keras or skmultimlp, or a module of them."""
    return isinstance(module, str) and (
        module in _KNOWN_PACKAGES or module.startswith(tuple(f"{p}." for p in _KNOWN_PACKAGES))
    )


def _is_known(value):
    """Whether ``value``, found on a layer, is Keras' or skmultimlp's own code or object.

    A configuration records a function only by module and name, so two user functions
    (closures over other values, ``functools.partial`` objects, a ``Lambda``'s function)
    can look the same in it while computing different things: those are not known.
    """
    if isinstance(value, types.MethodType):
        return _is_known(value.__func__) and _is_known(value.__self__)
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
        module = value.__module__
    else:
        module = type(value).__module__
    return _in_known_package(module)


def _layer_is_known(layer):
    """The layer's class and every callable it holds come from Keras or skmultimlp."""
    if not _is_known(layer):
        return False
    return all(
        _is_known(value)
        for value in vars(layer).values()
        if callable(value) and not isinstance(value, (keras.layers.Layer, type))
    )


def _modules_in(config):
    """Every ``"module"`` named in a (nested) Keras configuration."""
    if isinstance(config, dict):
        if isinstance(config.get("module"), str):
            yield config["module"]
        for value in config.values():
            yield from _modules_in(value)
    elif isinstance(config, (list, tuple)):
        for value in config:
            yield from _modules_in(value)


def all_layers(model):
    """Every layer of ``model``, those of nested models included."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from all_layers(layer)


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
    shape. Models whose configuration may not describe them fully get None and are
    compiled for each fit: subclassed models, layers from outside Keras and skmultimlp,
    any function or callable object on a layer that is not Keras' or skmultimlp's (a user
    activation, closure, ``functools.partial``, a ``Lambda`` layer's function), and models
    whose ``get_config()`` fails.
    """
    if not type(model).__module__.startswith("keras."):
        return None
    if not all(_layer_is_known(layer) for layer in all_layers(model)):
        return None
    try:
        config = model.get_config()
    except Exception:  # nothing needs serialising to train: not cacheable, not an error
        return None
    if not all(_in_known_package(module) for module in _modules_in(config)):
        return None
    names = {name: f"#{i}" for i, name in enumerate(_layer_names(config))}
    names[model.name] = "#model"
    description = {"backend": keras.backend.backend(), "model": _canonical(config, names), **shape}
    if optimizer is not None:  # None: the network alone (a compiled forward pass)
        opt_config = dict(optimizer.get_config())
        opt_config.pop("name", None)
        if not isinstance(opt_config.get("learning_rate"), dict):  # a schedule stays in
            opt_config.pop("learning_rate", None)
        description["optimizer"] = [type(optimizer).__qualname__, opt_config]
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


class CompiledForward:
    """Compiled inference passes (JAX), one per network architecture, shared by models.

    ``model(X)`` in JAX's eager mode dispatches every operation from Python (about
    15 ms for a small MLP); a ``jax.jit`` of the architecture's ``stateless_call``,
    given each model's own variables, computes the same in well under a millisecond.
    Each model's architecture key (:func:`loop_key` without an optimizer) is computed
    once and kept as long as the model lives.
    """

    def __init__(self, maxsize=MAX_LOOPS):
        self.maxsize = maxsize
        self._by_key = OrderedDict()  # architecture key -> jitted function
        self._by_model = weakref.WeakKeyDictionary()  # model -> jitted function or None
        self._lock = threading.Lock()

    def __call__(self, model):
        """A function of a float32 batch giving ``model``'s probabilities, or None
        (not the JAX backend, or a model whose configuration does not describe it)."""
        if keras.backend.backend() != "jax":
            return None
        with self._lock:
            if model in self._by_model:
                jitted = self._by_model[model]
            else:
                jitted = self._jitted(model)
                self._by_model[model] = jitted
        if jitted is None:
            return None

        def forward(x):
            trainable = [v.value for v in model.trainable_variables]
            non_trainable = [v.value for v in model.non_trainable_variables]
            return jitted(trainable, non_trainable, x)

        return forward

    def _jitted(self, model):
        key = loop_key(model, None)
        if key is None:
            return None
        if key not in self._by_key:
            import jax

            template = model  # any model of the architecture: it brings only the layers

            def proba(trainable, non_trainable, x):
                return template.stateless_call(trainable, non_trainable, x, training=False)[0]

            self._by_key[key] = jax.jit(proba)
            while len(self._by_key) > self.maxsize:
                self._by_key.popitem(last=False)
        self._by_key.move_to_end(key)
        return self._by_key[key]


FORWARD = CompiledForward()
