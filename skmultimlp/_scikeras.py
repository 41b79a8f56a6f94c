"""The only module that imports scikeras.

scikeras 0.13 is no longer maintained and misreports its estimator tags to scikit-learn
>= 1.6, so :class:`~skmultimlp.KerasMultiLabelClassifier` does not inherit from its
wrappers. What we take from it is its model-builder convention, so that a builder
written for ``scikeras.wrappers.KerasClassifier(model=...)`` works unchanged as our
``model=`` parameter: the builder receives ``meta`` (fitted facts about the data) and/or
``compile_kwargs`` when its signature asks for them (or takes ``**kwargs``).
"""

import inspect

from scikeras.utils import loss_name

__all__ = ["call_model_builder", "loss_name"]


def call_model_builder(builder, meta, compile_kwargs):
    """Call a scikeras-style model builder with the arguments it declares.

    Parameters
    ----------
    builder : callable
        Returns a Keras model; may declare ``meta`` and/or ``compile_kwargs``.
    meta : dict
        Facts about the data, such as ``n_features_in_`` and ``n_outputs_``.
    compile_kwargs : dict
        ``optimizer`` and ``loss`` the estimator would compile with.

    Returns
    -------
    The builder's return value.
    """
    parameters = inspect.signature(builder).parameters.values()
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    names = {p.name for p in parameters}
    given = {"meta": meta, "compile_kwargs": compile_kwargs}
    return builder(**{name: value for name, value in given.items() if takes_any or name in names})
