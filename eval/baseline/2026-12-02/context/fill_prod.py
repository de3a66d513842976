"""sweep fill with the product's own code: SPAN CONTEXT CACHE MANIFEST..."""
import sys
from pathlib import Path
from analyzer.evaluation import sweep
from analyzer.core.config import DiarizationConfig
span, ctx, cache, manifests = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4:]
sweep.fill([Path(m) for m in manifests], Path(cache), None, Path("/work/exp/evalwork"),
           config=DiarizationConfig(shared_trunk_s=span, trunk_context_s=ctx))
