"""Exceptions raised by lzgis.

Every error lzgis raises on purpose derives from :class:`LzgisError`, which is a
``ValueError``, so callers can catch one class. The CLI turns any ``LzgisError``
into a one-line message and exit code 2.
"""

from __future__ import annotations


class LzgisError(ValueError):
    """Root of all lzgis errors: bad input, not a bug."""


class LayerError(LzgisError):
    """A layer id is unknown or a layer file cannot be used."""


class ValidationError(LzgisError):
    """A file or GeoDataFrame fails validation.

    ``problems`` holds one line per problem; ``str()`` gives the first, or a
    summary when there are several.
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            msg = self.problems[0]
        else:
            msg = f"{len(self.problems)} problems; first: {self.problems[0]}"
        super().__init__(msg)


class CRSError(LzgisError):
    """A CRS is missing or two CRSs do not match."""


class RasterError(LzgisError):
    """A raster cannot be read or does not fit the zones."""


class OutputError(LzgisError):
    """An output path cannot be written."""
