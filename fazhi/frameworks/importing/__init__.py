"""Import indicator frameworks (指标体系) from the Excel tables governments circulate.

Pure Python, no Django: `parse_framework_file` reads .xlsx, .xls or .csv (detected by
content), finds the header by meaning, understands merged cells and hand-written
numbering, and returns the tree with a per-cell report of errors and warnings.
"""

from .model import EVALUATION_METHODS, ImportIssue, ParsedFramework, ParsedNode
from .numbering import extract_points, split_numbering
from .parse import parse_framework_file

__all__ = [
    "EVALUATION_METHODS",
    "ImportIssue",
    "ParsedFramework",
    "ParsedNode",
    "extract_points",
    "parse_framework_file",
    "split_numbering",
]
