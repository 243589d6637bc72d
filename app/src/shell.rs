//! The HTML document, the router and the language.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::board::BoardPage;
use crate::i18n::Lang;
use crate::not_found::NotFound;
use crate::start_page::StartPage;

/// The whole HTML document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    #[cfg(feature = "ssr")]
    script_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Only this page's own scripts run: the inline hydration scripts carry this
/// response's nonce, and what they load is trusted through them. Styles,
/// images and connections come from this site only.
#[cfg(feature = "ssr")]
fn script_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.append_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The language the request asks for: `?lang=`, then the `lang` cookie, then
/// `Accept-Language`. In the browser: what the server chose (`<html lang>`).
pub(crate) fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map_or(Lang::default(), |parts| {
            Lang::of_request(&parts.uri, &parts.headers)
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
}

/// The application: routes and shared page furniture.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/grupprum.css" />
        <Title text="Grupprum" />
        <Router>
            <Frame />
        </Router>
    }
}

#[component]
fn Frame() -> impl IntoView {
    // The language is fixed for the page's life: the switch loads the page again.
    let lang = request_lang();
    provide_context(lang);
    #[cfg(feature = "ssr")]
    if let Some(chosen) = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("lang").and_then(|l| Lang::parse(&l)))
        && let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(cookie) = http::HeaderValue::from_str(&format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            chosen.code()
        ))
    {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    let other = lang.other();
    view! {
        <nav class="top" aria-label="Grupprum">
            <a class="brand" href="/">"Grupprum"</a>
            <a class="lang-switch" href=format!("?lang={}", other.code()) hreflang=other.code() rel="external"
                data-testid="lang-switch">
                {lang.page().switch_language}
            </a>
        </nav>
        <main>
            <Routes fallback=NotFound>
                // Async: the whole page in the first response, complete without JavaScript.
                <Route path=StaticSegment("") view=StartPage ssr=SsrMode::Async />
                <Route path=ParamSegment("room") view=BoardPage ssr=SsrMode::Async />
                <Route path=(ParamSegment("tenant"), ParamSegment("room")) view=BoardPage ssr=SsrMode::Async />
            </Routes>
        </main>
    }
}
