//! Markdown to HTML for the text an agreement says (its plain-words
//! explanation, notes and descriptions): pulldown-cmark, with raw HTML shown
//! as text, images reduced to their description, and links kept only to
//! http(s), mailto and relative addresses, so nothing an agreement file says
//! can run or load in the page.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// `markdown` as HTML safe to put in a page, headings moved `shift` levels
/// down so the text sits under the page's own headings.
pub(crate) fn to_html(markdown: &str, shift: usize) -> String {
    // For each open link or image: whether its tags were dropped.
    let mut dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => None,
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let unsafe_link = !safe_url(dest_url);
            dropped.push(unsafe_link);
            (!unsafe_link).then_some(event)
        }
        Event::Start(Tag::Image { .. }) => {
            dropped.push(true);
            None
        }
        Event::End(TagEnd::Link | TagEnd::Image) => {
            if dropped.pop().unwrap_or(true) {
                None
            } else {
                Some(event)
            }
        }
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: deeper(level, shift),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => {
            Some(Event::End(TagEnd::Heading(deeper(level, shift))))
        }
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut out, events);
    out
}

fn deeper(level: HeadingLevel, shift: usize) -> HeadingLevel {
    let n = (level as usize + shift).min(6);
    HeadingLevel::try_from(n).unwrap_or(HeadingLevel::H6)
}

/// True for http(s), mailto and relative addresses.
fn safe_url(url: &str) -> bool {
    let url = url.trim();
    match url.find([':', '/', '?', '#']) {
        Some(i) if url[i..].starts_with(':') => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn emphasis_lists_and_headings_render() {
        let html = to_html(
            "# Title\n\n- **Marketing** delivers\n- *Sales* follows up\n",
            2,
        );
        assert_eq!(
            html,
            "<h3>Title</h3>\n<ul>\n<li><strong>Marketing</strong> delivers</li>\n<li><em>Sales</em> follows up</li>\n</ul>\n"
        );
    }

    #[test]
    fn raw_html_is_text() {
        let html = to_html(
            "Hi <script>alert(1)</script>\n\n<div onclick=x>block</div>\n",
            0,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn only_safe_links_stay_links() {
        let html = to_html(
            "[ok](https://example.com) [mail](mailto:a@b.example) [rel](/leads/1) [bad](javascript:alert(1)) [bad2](JaVaScRiPt:x) ![img](https://tracker.example/p.png)",
            0,
        );
        assert!(
            html.contains("<a href=\"https://example.com\">ok</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"mailto:a@b.example\">mail</a>"),
            "{html}"
        );
        assert!(html.contains("<a href=\"/leads/1\">rel</a>"), "{html}");
        assert!(!html.to_ascii_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("bad bad2 img"), "{html}");
    }
}
