"""Receiving uploads: every file goes to a temporary file on disk as it arrives (never whole into
memory), its SHA-256 is computed from the same chunks, and a file over the size limit is dropped
while it streams, with its name kept so that the page can say which file was refused."""

import hashlib

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, TemporaryFileUploadHandler

from fazhi.core.tempfiles import AreaUploadedFile


class HashingUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        # Django's handler, but the file goes to this process's folder in the temp area, for the
        # sweep to remove if the process is killed mid-upload (fazhi/core/tempfiles.py).
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = AreaUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )
        self.hasher = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.FAZHI_UPLOAD_MAX_BYTES:
            self.file.close()
            oversize = getattr(self.request, "oversize_uploads", None)
            if self.request is not None:
                self.request.oversize_uploads = [*(oversize or []), self.file_name]
            raise SkipFile
        self.hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.hasher.hexdigest()
        return uploaded


def oversize_uploads(request) -> list[str]:
    return list(getattr(request, "oversize_uploads", None) or [])
