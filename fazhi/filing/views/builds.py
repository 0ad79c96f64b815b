"""The filing page: start a build, follow its progress, download its files."""

from django.http import Http404


def filing_page(request, pk):
    raise Http404


def build_start(request, pk):
    raise Http404


def build_progress(request, pk):
    raise Http404


def file_download(request, pk):
    raise Http404
