"""The self-assessment report: a draft from the campaign's data, and the region's template."""

from django.http import Http404


def report_draft(request, pk):
    raise Http404


def report_template(request):
    raise Http404


def report_template_download(request):
    raise Http404


def report_template_default(request):
    raise Http404


def report_template_reset(request):
    raise Http404
