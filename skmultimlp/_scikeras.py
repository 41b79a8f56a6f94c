"""The only module that imports scikeras.

scikeras 0.13 is no longer maintained and misreports its estimator tags to scikit-learn
>= 1.6, so :class:`~skmultimlp.KerasMultiLabelClassifier` does not inherit from its
wrappers. What we take from it is its model-builder convention, so that a builder
written for ``scikeras.wrappers.KerasClassifier(model=...)`` works unchanged as our
``model=`` parameter: the builder receives ``meta`` (fitted facts about the data) and/or
``compile_kwargs`` when its signature asks for them (or takes ``**kwargs``).
"""

from scikeras._utils import accepts_kwargs, has_param
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
    kwargs = {}
    if has_param(builder, "meta") or accepts_kwargs(builder):
        kwargs["meta"] = meta
    if has_param(builder, "compile_kwargs") or accepts_kwargs(builder):
        kwargs["compile_kwargs"] = compile_kwargs
    return builder(**kwargs)
