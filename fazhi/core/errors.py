"""Error answers: Chinese pages in the site's layout with a way back, and JSON under the API.

Django's own handlers answer with the templates 400/403/404/500.html too, but their messages
are English (`No Campaign matches the given query.`) and API clients would get HTML. 500.html
and 400.html render without the request or the database, since those may be what failed."""

import re

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

API_PREFIX = "/api/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

NOT_FOUND = "没有找到这个页面，或您无权查看。地址可能有误，或内容已被删除。"
FORBIDDEN = "您的账号无权打开这个页面。如需此权限，请联系本单位的平台管理员。"
BAD_REQUEST = "请求无法处理：地址或提交的内容不完整或有误。"
SERVER_ERROR = "服务器出错了，请稍后重试。问题持续时请联系平台管理员，并告知出错的时间。"
EXPIRED_FORM = "页面已过期或无法确认表单来自本站，请返回上一页、刷新后再提交。"
NUL_IN_ADDRESS = "地址中含有不允许的字符（NUL），请检查链接或重新输入搜索词。"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def said(exception, default: str) -> str:
    """The exception's own message when it was written for users (in Chinese), else `default`:
    framework messages such as `No Campaign matches the given query.` are not shown."""
    message = exception.args[0] if exception is not None and exception.args else ""
    return message if isinstance(message, str) and CHINESE.search(message) else default


def _way_back(request) -> str:
    """The page the user came from, when it is one of ours."""
    referer = request.headers.get("Referer", "")
    try:
        ours = url_has_allowed_host_and_scheme(
            referer, {request.get_host()}, require_https=request.is_secure()
        )
    except DisallowedHost:  # the error page of a request for a host we do not serve
        return ""
    return referer if referer and ours else ""


def _page(request, status: int, title: str, message: str):
    context = {"status": status, "title": title, "message": message, "back": _way_back(request)}
    return render(request, f"{status}.html", context, status=status)


def bad_request(request, exception=None, message: str = ""):
    message = message or said(exception, BAD_REQUEST)
    if is_api(request):
        return JsonResponse({"detail": message}, status=400)
    body = loader.get_template("400.html").render({"message": message})
    return HttpResponseBadRequest(body)


def permission_denied(request, exception=None):
    message = said(exception, FORBIDDEN)
    if is_api(request):
        return JsonResponse({"detail": message}, status=403)
    return _page(request, 403, "无权访问", message)


def page_not_found(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": said(exception, "没有这个接口地址。")}, status=404)
    return _page(request, 404, "页面不存在", said(exception, NOT_FOUND))


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request, reason=""):
    """A form posted after its page expired (the session ended, or the server restarted): the
    commonest 403 a user meets, in the same layout as the others."""
    if is_api(request):
        return JsonResponse({"detail": EXPIRED_FORM}, status=403)
    return _page(request, 403, "页面已过期", EXPIRED_FORM)


class RefuseNulMiddleware:
    """NUL has no use in an address, and PostgreSQL refuses it in every string it is given
    (the driver raises ValueError, a 500 from any filter, search or path parameter). Such a
    request is answered 400, in Chinese, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return bad_request(request, message=NUL_IN_ADDRESS)
        return self.get_response(request)
