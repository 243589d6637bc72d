//! Grupprum's web application: the pages moderators see, rendered on the server
//! (feature `ssr`) and hydrated in the browser (feature `hydrate`).
//!
//! `app` never depends on `server`: the server implements what this crate asks
//! for, not the other way round.

pub mod api;
pub mod auth;
mod board;
mod codes;
pub mod i18n;
#[cfg(feature = "ssr")]
pub mod identity;
pub mod library;
pub mod meeting;
mod not_found;
pub mod plans;
#[cfg(feature = "ssr")]
pub mod redirect;
#[cfg(feature = "ssr")]
pub mod service;
mod shell;
mod start_page;

pub use shell::{App, shell};

/// The WebAssembly entry point: brings the page's islands (the live board) to life.
/// Everything else is plain server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console are for development; they cost size in release.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Controls that only work with scripts (see `.js-only` in the stylesheet).
    if let Some(root) = leptos::prelude::document().document_element() {
        root.set_class_name("js");
    }
    leptos::mount::hydrate_islands();
}
