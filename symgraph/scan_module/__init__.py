"""``theano.scan_module``: loops over symbolic graphs (``scan``, ``until``) and their
shorthands ``map``, ``reduce``, ``foldl``, ``foldr``."""
from symgraph.scan_module.basic import foldl, foldr, map, reduce, scan, until
from symgraph.scan_module.op import Scan

__all__ = ['scan', 'map', 'reduce', 'foldl', 'foldr', 'until', 'Scan']
