"""Training many networks as one compiled program, and the fits trained that way.

A grid search or an ensemble trains many networks of one architecture: on the JAX backend,
:func:`train_many` stacks their weights, optimizer states and data and runs them as one
``jax.vmap`` of the compiled loop (``_loops.JaxLoop``), early stopping included. Each
network keeps its own initial weights, Dropout seeds, learning rate, ``alpha``, label
weights, sample weights, shuffling seed, early-stopping split and rule: ``vmap`` computes
exactly what a loop of single fits computes, to float rounding. Networks that cannot
share a program (another architecture, batch size, number of epochs or rows; a sparse
``X`` kept on the host, or a sparse ``Y``; Keras callbacks, a custom ``train_step``, a
compiled ``model=``; the TensorFlow backend, which has no ``vmap`` of a Keras model) are
trained one at a time by ``_trainer.train``, with the same results.

:data:`PRETRAINED` holds fits trained ahead of time, keyed by :func:`fit_key` (the
estimator's parameters and its validated data): ``KerasMultiLabelClassifier.fit`` takes
a matching fit from there instead of training again.
"""

import copy
import dataclasses
import hashlib
import os
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import keras
import numpy as np
import scipy.sparse as sp

from ._cache import POOL, loop_key
from ._loops import model_variables, validation_arrays, validation_length
from ._trainer import (
    has_custom_train_step,
    loop_shape,
    make_loop,
    train,
    uses_batch_statistics,
)


@dataclasses.dataclass
class PreparedFit:
    """One fit, ready to train: what ``KerasMultiLabelClassifier._prepare_fit`` built."""

    key: str
    fitted: dict | None = None
    network: Any = None
    optimizer: Any = None
    data: Any = None
    stopping: Any = None
    epochs: int = 0
    batch_size: int = 0
    template: Any = None
    attributes: dict = dataclasses.field(default_factory=dict)
    optimizer_state: Any = None


def fingerprint(a):
    """A digest of an array's (or CSR matrix's) shape, dtype and contents."""
    digest = hashlib.blake2b(digest_size=16)
    parts = (a.data, a.indices, a.indptr) if sp.issparse(a) else (a,)
    digest.update(repr((type(a).__name__, a.shape, a.dtype.str)).encode())
    for part in parts:
        digest.update(memoryview(np.ascontiguousarray(part)).cast("B"))
    return digest.hexdigest()


def fit_key(estimator, X, Y, weights, outputs=None):
    """What determines a fit: the estimator's class and parameters, its data, and what
    the target's units stand for (``outputs``: its type and classes)."""
    params = sorted(estimator.get_params(deep=False).items())
    target = None if outputs is None else (outputs.target_type, repr(outputs.classes))
    fingerprints = tuple(map(fingerprint, (X, Y, weights)))
    return repr((type(estimator).__qualname__, params, *fingerprints, target))


class Pretrained:
    """Fitted attributes of fits trained ahead of time, by :func:`fit_key`.

    Used while a :class:`~skmultimlp.model_selection.BatchedGridSearchCV` fits: the
    search trains its (candidate, fold) networks together, then scikit-learn's own
    ``GridSearchCV`` machinery fits, scores and reports them, each fit finding its
    result here.
    """

    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()

    def __bool__(self):
        """Whether any search holds trained fits now."""
        with self._lock:
            return bool(self._entries)

    def get(self, key):
        with self._lock:
            return self._entries.get(key)

    def add(self, entries):
        with self._lock:
            self._entries.update(entries)

    def remove(self, keys):
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)


PRETRAINED = Pretrained()


def _shares_a_program(prepared):
    """The group of a fit that :func:`train_many` can vectorise, or None."""
    network, data = prepared.network, prepared.data
    if keras.backend.backend() != "jax" or data.sparse or network.compiled:
        return None
    if data.sparse_labels:
        # A vmapped program stacks the folds' Y as one dense device array: a sparse Y
        # (kept sparse for its size) trains one fit at a time instead.
        return None
    if has_custom_train_step(network) or uses_batch_statistics(network):
        return None
    shape = loop_shape(network, data, prepared.batch_size)
    key = loop_key(network, prepared.optimizer, **shape)
    if key is None:
        return None
    stopping = prepared.stopping
    validation = None
    if stopping is not None:
        validation = (stopping.graph["scoring"], validation_length(stopping.X_val))
    return key, shape, prepared.epochs, data.Y.shape[0], validation


def train_one(prepared, *, verbose=0, callbacks=None):
    """Train one prepared fit by itself (``_trainer.train``); its epoch losses."""
    return train(
        prepared.network,
        prepared.optimizer,
        prepared.data,
        template=prepared.template,
        epochs=prepared.epochs,
        batch_size=prepared.batch_size,
        verbose=verbose,
        # Keras attaches the model to a callback and may keep state on it: each network
        # runs its own copies, and the objects passed stay as they were.
        callbacks=copy.deepcopy(callbacks),
        stopping=prepared.stopping,
        optimizer_state=prepared.optimizer_state,
    )


def train_many(prepared_fits, *, callbacks=None):
    """Train every fit of ``prepared_fits``; return each one's list of epoch losses.

    Fits that share a program are trained together (JAX); the others one at a time. Each
    fit's network receives its trained (or best epoch's) weights and its ``stopping``
    its scores, as ``_trainer.train`` does.
    """
    groups = defaultdict(list)
    for i, prepared in enumerate(prepared_fits):
        group = None if callbacks else _shares_a_program(prepared)
        if group is not None:
            groups[repr(group)].append((i, group))
    # A network alone in its group trains by itself (a vmap over one network rounds
    # differently from the one-network program; over several it does not).
    groups = [members for members in groups.values() if len(members) > 1]
    batched = {i for members in groups for i, _ in members}
    losses = [None] * len(prepared_fits)
    for i, prepared in enumerate(prepared_fits):
        if i not in batched:
            losses[i] = train_one(prepared, callbacks=callbacks)
    if groups:
        for indices, curves in _train_groups(prepared_fits, groups):
            for i, curve in zip(indices, curves, strict=True):
                losses[i] = curve
    return losses


def _workers():
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _train_groups(prepared_fits, groups):
    """Train each group as one program, the programs in parallel threads, the costliest
    first: XLA runs these small operations on one thread. With fewer groups than cores,
    a group is cut into equal chunks (a program's time grows with its number of networks,
    so chunks cost no more; splitting every group was measured slower, each chunk
    compiling on its own thread)."""
    workers = _workers()
    loops, jobs = [], []
    for members in groups:
        (key, shape, _, _, _) = members[0][1]
        indices = [i for i, _ in members]
        loop = POOL.checkout(key)
        if loop is None:
            loop = make_loop(*prepared_fits[indices[0]].template(), **shape)
        loops.append((key, loop))
        # Two networks or more a chunk.
        n_chunks = max(1, min(len(indices) // 2, workers // len(groups)))
        size = -(-len(indices) // n_chunks)
        weights = sum(int(np.prod(v.shape)) for v in loop.model.trainable_variables)
        for start in range(0, len(indices), size):
            chunk = indices[start : start + size]
            cost = len(chunk) * weights * prepared_fits[chunk[0]].epochs
            jobs.append((cost, loop, chunk, [prepared_fits[i] for i in chunk]))
    jobs = [job[1:] for job in sorted(jobs, key=lambda job: -job[0])]
    try:
        with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = [
                (chunk, pool.submit(_train_vmapped, loop, fits)) for loop, chunk, fits in jobs
            ]
            return [(chunk, future.result()) for chunk, future in futures]
    finally:
        for key, loop in loops:
            POOL.checkin(key, loop)


_STATE_LOCK = threading.Lock()


def _unique(items):
    """The distinct items (tuples of arrays, by contents), each part stacked, and the
    index of each input among them."""
    index, unique, positions = {}, [], []
    for item in items:
        digest = tuple(map(fingerprint, item))
        if digest not in index:
            index[digest] = len(unique)
            unique.append(item)
        positions.append(index[digest])
    stacked = tuple(np.stack(part) for part in zip(*unique, strict=True))
    return stacked, np.asarray(positions, dtype=np.int32)


def _train_vmapped(loop, fits):
    """Train ``fits`` (one group) as one ``jax.vmap`` of ``loop``'s compiled epochs."""
    import jax
    import jax.numpy as jnp

    states = []
    with _STATE_LOCK:  # the loop's optimizer gives each fit its fresh state
        for prepared in fits:
            loop._reset_optimizer(prepared.optimizer)
            states.append(
                (
                    [v.value for v in prepared.network.trainable_variables],
                    [v.value for v in prepared.network.non_trainable_variables],
                    [jnp.array(v.value) for v in loop.optimizer.variables],
                )
            )
    state = jax.tree.map(lambda *leaves: jnp.stack(leaves), *states)
    datas = [prepared.data for prepared in fits]
    # One copy of each fold's training rows, whatever the number of candidates.
    (X, Y), fold = _unique([(d.X, d.Y) for d in datas])
    per_fit = (
        np.stack([d.w for d in datas]),
        np.stack([d.label_weight for d in datas]),
        np.asarray([d.alpha for d in datas], np.float32),
        np.asarray([d.n for d in datas], np.int32),
        jnp.stack([jax.random.key(d.seed) for d in datas]),
    )
    epochs = fits[0].epochs
    stopping = fits[0].stopping
    if stopping is None:

        def one(state, fold, w, label_weight, alpha, n, key, X, Y):
            def epoch(state, e):
                return loop._train_epoch(state, X, Y, w, label_weight, alpha, n, key, e, fold=fold)

            return jax.lax.scan(epoch, state, jnp.arange(epochs))

        run = _compiled(loop, ("fixed", epochs), one, in_axes=(0,) * 7 + (None,) * 2)
        state, losses = run(state, jnp.asarray(fold), *per_fit, jnp.asarray(X), jnp.asarray(Y))
        trainable, non_trainable, _ = state
        curves = np.asarray(losses, dtype=float)
        for k, prepared in enumerate(fits):
            _assign(prepared.network, [v[k] for v in trainable + non_trainable])
        return [curve.tolist() for curve in curves]

    validations = [validation_arrays(prepared.stopping) for prepared in fits]
    (X_val,), val_fold = _unique([v[:1] for v in validations])
    val_labels = tuple(np.stack([v[j] for v in validations]) for j in range(1, 5))
    rules = (
        np.asarray([p.stopping.n_iter_no_change for p in fits], np.int32),
        np.asarray([p.stopping.tol for p in fits], np.float32),
    )
    scoring = stopping.graph["scoring"]

    def one(
        state,
        fold,
        w,
        label_weight,
        alpha,
        n,
        key,
        val_fold,
        on,
        known,
        w_val,
        thr,
        rule,
        X,
        Y,
        X_val,
    ):
        data = (X, Y, w, label_weight, alpha, n, key)
        validation = (X_val[val_fold], on, known, w_val, thr)
        return loop._epochs_stopping(
            state, data, validation, rule, n_epochs=epochs, scoring=scoring, fold=fold
        )

    run = _compiled(loop, ("stopping", epochs, scoring), one, in_axes=(0,) * 13 + (None,) * 3)
    final, n_run, losses, scores, best_epoch, best = run(
        state,
        jnp.asarray(fold),
        *per_fit,
        jnp.asarray(val_fold),
        *val_labels,
        rules,
        jnp.asarray(X),
        jnp.asarray(Y),
        jnp.asarray(X_val),
    )
    n_run, losses, scores = np.asarray(n_run), np.asarray(losses), np.asarray(scores)
    best_epoch = np.asarray(best_epoch)
    best_values = [np.asarray(v) for v in best[0] + best[1]]
    last_values = [np.asarray(v) for v in final[0] + final[1]]
    curves = []
    for k, prepared in enumerate(fits):
        weights = [v[k] for v in best_values] if best_epoch[k] >= 0 else None
        prepared.stopping.record(scores[k, : n_run[k]], weights)
        # No score was a number: the last epoch's weights, as _trainer.train keeps.
        _assign(prepared.network, weights or [v[k] for v in last_values])
        curves.append(losses[k, : n_run[k]].astype(float).tolist())
    return curves


def _compiled(loop, key, fn, in_axes):
    """``jit(vmap(fn))``, kept on ``loop`` (which ``_cache.POOL`` keeps) under ``key``."""
    import jax

    cache = loop.__dict__.setdefault("_vmapped", {})
    if key not in cache:
        cache[key] = jax.jit(jax.vmap(fn, in_axes=in_axes))
    return cache[key]


def _assign(network, values):
    for variable, value in zip(model_variables(network), values, strict=True):
        variable.assign(value)
