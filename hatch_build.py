"""Build hook: compiles lzgis's kernel (src/lzgis/zonal/_kernel.c, _union*.c) during ``pip install``.

Editable installs (``pip install -e .``) put the library next to the source,
where lzgis finds it; wheels carry it and are tagged for this platform.
Without a C compiler, or when compiling fails, the install goes on without
it and lzgis runs the same computation in numpy (same results, slower).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
ZONAL = ROOT / "src" / "lzgis" / "zonal"


def _builder() -> Any:
    """lzgis.zonal._kernel_build, loaded by path (the build has no lzgis or numpy)."""
    spec = importlib.util.spec_from_file_location("_lzgis_kernel_build", ZONAL / "_kernel_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class KernelBuildHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "lzgis-kernel"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        kernel = _builder()
        self._temporary: Path | None = None
        if version == "editable":
            out_dir = ZONAL
        else:
            out_dir = self._temporary = Path(tempfile.mkdtemp(prefix="lzgis-kernel-"))
        try:
            built = kernel.build(out_dir)
        except RuntimeError as exc:
            print(
                f"lzgis: {exc}; lzgis will use numpy instead (same results, slower)",
                file=sys.stderr,
            )
            return
        if built is None:
            print(
                "lzgis: no C compiler found; lzgis will use numpy instead of its compiled "
                "kernel (same results, slower)",
                file=sys.stderr,
            )
            return
        if version != "editable":
            build_data["force_include"][str(built)] = f"lzgis/zonal/{built.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        temporary = getattr(self, "_temporary", None)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
