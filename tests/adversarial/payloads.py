"""The XSS corpus: every payload calls ``__pwned(<n>)`` if a browser ever runs it.

Written for Broadsheet's suite from the well-known families: script elements, event
handlers, SVG and MathML mutation (mXSS) tricks, ``javascript:`` in every obfuscation
(entities, tabs, newlines, case, leading controls), ``data:text/html``, ``srcdoc``,
``formaction``, ``meta refresh``, ``base``, ``object``, ``embed`` and CSS ``url()``.
``PAYLOADS`` are HTML fragments; ``JS_URLS`` are bare URLs for URL-shaped fields.
"""

from __future__ import annotations

import base64

CALL = "__pwned({n})"

_SCRIPTS = [
    "<script>{c}</script>", "<SCRIPT>{c}</SCRIPT>", "<script type=module>{c}</script>",
    "<script>/*</script>*/{c}</script>", "<scr<script>ipt>{c}</scr</script>ipt>",
    "<script\x0c>{c}</script>", "<script src=data:text/javascript,{c}></script>",
    "<script>{c}//", "\"><script>{c}</script>", "'><script>{c}</script>",
    "</title><script>{c}</script>", "</textarea><script>{c}</script>",
    "</script><script>{c}</script>", "<!--<script>{c}</script>-->x",
    "<![CDATA[<script>{c}</script>]]>", "<noscript><p title=\"</noscript><script>{c}</script>\">",
    "<template><script>{c}</script></template>", "<xmp><script>{c}</script></xmp>",
    "<plaintext><script>{c}</script>", "<style></style><script>{c}</script>",
    "<iframe srcdoc=\"<script>parent.{c}</script>\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;parent.{c}&lt;/script&gt;\"></iframe>",
]
_HANDLERS = [
    "<img src=x onerror={c}>", "<img src=x onerror=\"{c}\">", "<IMG SRC=x OnErRoR={c}>",
    "<img src=x:x onerror='{c}'//", "<img/src=x/onerror={c}>", "<img src=x onerror\x0c={c}>",
    "<img src=\"x\"onerror=\"{c}\">", "<img src=`x`onerror={c}>",
    "<body onload={c}>", "<svg onload={c}>", "<svg/onload={c}>", "<details open ontoggle={c}>",
    "<input autofocus onfocus={c}>", "<select autofocus onfocus={c}>",
    "<textarea autofocus onfocus={c}></textarea>", "<video><source onerror={c}></video>",
    "<audio src=x onerror={c}>", "<marquee onstart={c}>x</marquee>",
    "<div onmouseover={c} style=\"position:fixed;inset:0\">x</div>",
    "<p onclick={c}>x</p>", "<a onfocus={c} autofocus href=#>x</a>",
    "<object data=x onerror={c}></object>", "<iframe src=x onload={c}></iframe>",
    "<body onpageshow={c}>", "<img src=x onerror=&#95;&#95;pwned({n})>",
    "<img src=x onerror=window['__pw'+'ned']({n})>", "<img src=x onerror=eval('__pwned({n})')>",
    "<img src=x onerror=setTimeout('__pwned({n})')>",
    "<image src=x onerror={c}>", "<isindex type=image src=x onerror={c}>",
    "<form><button formaction=javascript:{c}>x</button></form>",
    "<form id=f></form><button form=f formaction=javascript:{c}>x</button>",
    "<form action=javascript:{c}><input type=submit></form>",
    "<input type=image src=x onerror={c}>", "<table background=javascript:{c}>",
    "<frameset onload={c}>", "<style onload={c}></style>", "<link rel=stylesheet href=x onerror={c}>",
    "<meter onmouseover={c}>0</meter>", "<svg><animate onbegin={c} attributeName=x dur=1s>",
    "<svg><set onbegin={c} attributeName=x to=1>", "<x contenteditable onfocus={c} autofocus>",
]
_MUTATION = [
    "<svg><style><img src=x onerror={c}></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror={c}></style></mglyph></table></mtext></math>",
    "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=x onerror={c}&gt;\">",
    "<svg></p><style><a id=\"</style><img src=x onerror={c}>\">",
    "<svg><p><style><g title=\"</style><img src=x onerror={c}>\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror={c}>",
    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img src=x onerror={c}>\">",
    "<noscript><img src=x onerror={c}></noscript>",
    "<svg><foreignObject><img src=x onerror={c}></foreignObject></svg>",
    "<svg><script>{c}</script></svg>", "<svg><script href=data:,{c} />",
    "<svg><a xlink:href=\"javascript:{c}\"><text y=20>x</text></a></svg>",
    "<svg><a href=\"javascript:{c}\"><rect width=100 height=100 /></a></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='{c}'/></svg>#x\"/></svg>",
    "<math href=\"javascript:{c}\">x</math>", "<math><maction actiontype=statusline xlink:href=javascript:{c}>x</maction></math>",
    "<svg><desc><![CDATA[</desc><script>{c}</script>]]></svg>",
    "<svg><title><![CDATA[</title><img src=x onerror={c}>]]></title></svg>",
    "<a title=\"<!--\"><img src=x onerror={c}>-->",
    "<div id=\"</div><img src=x onerror={c}>\"></div>",
    "<table><td><svg><style><img src=x onerror={c}>",
    "<select><template><style><!--</style><a rel=\"--></style></template></select><img src=x onerror={c}>\">",
    "<xss><style>@import'javascript:{c}';</style></xss>",
    "<listing>&lt;img src=x onerror={c}&gt;</listing>",
    "<svg><![CDATA[><img src=x onerror={c}>]]></svg>",
    "<svg><iframe srcdoc=\"<script>parent.{c}</script>\"></svg>",
    "<svg><animate attributeName=href values=javascript:{c} /><a id=x><text>x</text></a></svg>",
    "<p>safe <b>bold</b> and <i>i</i><img src=x onerror={c}></p>",
]
_JS_SCHEMES = [
    "javascript:{c}", "JAVASCRIPT:{c}", "JaVaScRiPt:{c}", " javascript:{c}", "\tjavascript:{c}",
    "java\tscript:{c}", "java\nscript:{c}", "java\rscript:{c}", "\x01javascript:{c}",
    "javascript\t:{c}", "&#106;avascript:{c}", "&#x6A;avascript:{c}", "&#0000106avascript:{c}",
    "jav&#x09;ascript:{c}", "jav&#x0A;ascript:{c}", "jav&#x0D;ascript:{c}",
    "javascript&colon;{c}", "javascript&#58;{c}", "javascript&#x3A;{c}",
    "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A{c}", "javas&#99;ript:{c}",
    "vbscript:{c}", "javascript://%0a{c}", "javascript:/*--></title></style></textarea>*/{c}",
]
_DATA = [
    "data:text/html,<script>parent.{c}</script>",
    "data:text/html;base64," + base64.b64encode(b"<script>parent.__pwned(0)</script>").decode(),
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='parent.{c}'/>",
    "DATA:text/html,<script>parent.{c}</script>", " data:text/html,<script>parent.{c}</script>",
    "data:application/xhtml+xml,<script xmlns='http://www.w3.org/1999/xhtml'>parent.{c}</script>",
]
_CARRIERS = [
    "<a href=\"{u}\">link</a>", "<iframe src=\"{u}\"></iframe>", "<object data=\"{u}\"></object>",
    "<embed src=\"{u}\">", "<form action=\"{u}\"><button>go</button></form>",
    "<img src=\"{u}\">", "<a href='{u}' target=_blank>blank</a>", "<area href=\"{u}\">",
    "<base href=\"{u}\"><a href=x>base</a>", "<meta http-equiv=refresh content=\"0;url={u}\">",
    "<svg><a xlink:href=\"{u}\"><text y=9>s</text></a></svg>", "<button formaction=\"{u}\">b</button>",
    "<iframe srcdoc=\"<a href='{u}'>x</a>\"></iframe>", "<q cite=\"{u}\">q</q>",
    "<blockquote cite=\"{u}\">bq</blockquote>",
]
_STYLE = [
    "<div style=\"background:url(javascript:{c})\">x</div>",
    "<div style=\"background-image:url('javascript:{c}')\">x</div>",
    "<div style=\"width:expression({c})\">x</div>",
    "<style>body{{background:url(\"javascript:{c}\")}}</style>",
    "<style>@import 'javascript:{c}';</style>", "<link rel=stylesheet href=\"javascript:{c}\">",
    "<div style=\"behavior:url(x.htc)\">x</div>",
    "<div style=\"-moz-binding:url(data:text/xml,x)\">x</div>",
    "<p style=\"x:\\65 xpression({c})\">x</p>",
    "<style>*{{x:expr/**/ession({c})}}</style>",
]
_PLAIN = [  # things that must survive as text, and pixels and links to check
    "<meta http-equiv=refresh content=\"0;url=http://evil.test/\">",
    "<base href=\"http://evil.test/\"><a href=rel>relative</a>",
    "<object data=\"http://evil.test/x.swf\"></object>", "<embed src=\"http://evil.test/x.swf\">",
    "<applet code=X>x</applet>", "<frameset><frame src=\"http://evil.test/\"></frameset>",
    "<img src=\"http://tracker.test/pixel.gif\" width=\"1\" height=\"1\">",
    "<img src=\"http://tracker.test/p.gif?u=1\" width=\"0\" height=\"0\" alt=\"\">",
    "<img src=\"http://tracker.test/open.gif\" style=\"display:none\">",
    "<a href=\"http://elsewhere.test/\" target=\"_blank\">target blank</a>",
    "<a href=\"http://elsewhere.test/plain\">plain external link</a>",
    "<a href=\"http://elsewhere.test/r\" rel=\"opener\">asks for the opener</a>",
    "{{{{7*7}}}} ${{7*7}} <%= 7*7 %> {{{{constructor.constructor('{c}')()}}}}",
    "&lt;script&gt;{c}&lt;/script&gt;", "&amp;lt;img src=x onerror={c}&amp;gt;",
    "\u202e<script>{c}</script>", "<scrİpt>{c}</scrİpt>", "<\u0000script>{c}</script>",
]


def _build() -> tuple[list[str], list[str]]:
    payloads: list[str] = []
    urls: list[str] = []

    def add(template: str) -> None:
        n = len(payloads) + 1
        payloads.append(template.replace("{c}", CALL.format(n=n)).replace("{n}", str(n))
                        .replace("{{", "{").replace("}}", "}"))

    for group in (_SCRIPTS, _HANDLERS, _MUTATION, _STYLE, _PLAIN):
        for template in group:
            add(template)
    for scheme in _JS_SCHEMES + _DATA:
        for carrier in _CARRIERS[:6] if scheme in _DATA else _CARRIERS:
            n = len(payloads) + 1
            url = scheme.replace("{c}", CALL.format(n=n))
            payloads.append(carrier.replace("{u}", url))
        urls.append(scheme.replace("{c}", CALL.format(n=900 + len(urls))))
    return payloads, urls


PAYLOADS, JS_URLS = _build()
TRACKERS = ("tracker.test",)
