"""`{% load once %}`: `{% once %}...{% endonce %}` renders its contents once per process for each
language, script prefix and URLconf, and then writes the same text again.

For the parts of templates/base.html every page repeats: menu labels ({% translate %}), links
({% link %}) and static URLs ({% static %}) are the same on every request of a running process,
yet each tag resolved again cost most of the base template's render. Values the contents read
from the context are named after the tag, and each combination is rendered once:
`{% once current_organization.pk %}`. Nothing else from the context may be read inside; the
block must not hold a `{% block %}` or a `{% csrf_token %}`, nor sit inside `{% language %}`.
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()

# Bounds the memo of a fragment that varies by organization.
MAX_VARIANTS = 512


class OnceNode(template.Node):
    # Not walked for {% block %} tags by {% extends %}: there are none inside (checked when parsed).
    child_nodelists = ()

    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.rendered = {}

    def render(self, context):
        # What every fragment varies by, read once for the template's render.
        process = context.render_context.get(OnceNode)
        if process is None:
            process = context.render_context[OnceNode] = (
                get_language(),
                get_script_prefix(),
                get_urlconf(),
            )
        key = (process, *(value.resolve(context) for value in self.vary_on))
        try:
            return self.rendered[key]
        except KeyError:
            pass
        if len(self.rendered) >= MAX_VARIANTS:
            self.rendered.clear()
        text = self.rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def once(parser, token):
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    for unsafe in (BlockNode, CsrfTokenNode):
        if nodelist.get_nodes_by_type(unsafe):
            raise template.TemplateSyntaxError(
                f"{{% once %}} cannot hold a {unsafe.__name__}: it differs between requests."
            )
    return OnceNode(nodelist, vary_on)
