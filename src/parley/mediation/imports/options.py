"""What bulk imports read of the settings (``uow.options(ImportOptions)``)."""

from dataclasses import dataclass

from parley.settings import OptionsRecord, setting


@dataclass(frozen=True)
class ImportOptions(OptionsRecord):
    """Imported files are kept in ``directory``; rows are loaded ``batch_size`` to a
    transaction; a running import whose runner has not beaten for ``stale_seconds`` is taken
    over by a worker; national phone numbers are read in ``phone_region``."""

    directory: str = setting("import_dir")
    batch_size: int = setting("import_batch_size")
    stale_seconds: float = setting("import_stale_seconds")
    phone_region: str = setting("default_phone_region")
