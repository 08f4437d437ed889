// The publish component's look, adopted by its shadow root as a constructed stylesheet: a page's
// own CSS cannot reach in, and a page whose Content-Security-Policy forbids inline styles (the
// console's does) still applies it. Pages theme it through the --jobpub-* custom properties,
// which do cross the shadow boundary, and through ::part(button), ::part(status), ::part(group).

const CSS = `
:host { display: block; font: var(--jobpub-font, inherit); color: var(--jobpub-ink, inherit);
        /* Own names: a page may set --jobpub-accent: var(--accent) on the host, a cycle were these --accent. */
        --_accent: var(--jobpub-accent, #0a66c2); --_on-accent: var(--jobpub-on-accent, #fff);
        --_ok: var(--jobpub-success, #1a7f37); --_bad: var(--jobpub-danger, #b42318);
        --_radius: var(--jobpub-radius, .35rem); --_focus: var(--jobpub-focus, #ff9f1a); }
:host([hidden]) { display: none; }
.group { display: flex; flex-wrap: wrap; gap: var(--jobpub-gap, .5rem); }
button { font: inherit; cursor: pointer; border: 1px solid var(--_accent); border-radius: var(--_radius);
         background: var(--_accent); color: var(--_on-accent); line-height: 1.25;
         font-size: 1rem; padding: .45rem .8rem; min-height: 2.5rem; }
button[hidden] { display: none; }
button:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
button[aria-disabled="true"] { opacity: .6; cursor: not-allowed; }
button[aria-busy="true"] { cursor: progress; }
:host([variant="outline"]) button { background: transparent; color: var(--_accent); }
:host([variant="ghost"]) button { background: transparent; color: var(--_accent); border-color: transparent; }
:host([size="sm"]) button { font-size: .8125rem; padding: .2rem .55rem; min-height: 1.9rem; }
:host([size="lg"]) button { font-size: 1.125rem; padding: .65rem 1.2rem; min-height: 3.1rem; }
button.is-success { background: var(--_ok); border-color: var(--_ok); color: #fff; }
button.is-error { background: var(--_bad); border-color: var(--_bad); color: #fff; }
.status { margin: .35rem 0 0; font-size: .875em; min-height: 0; overflow-wrap: anywhere; }
.status:empty { margin: 0; } /* kept in the accessibility tree: a live region must exist before it speaks */
.status[data-kind="error"] { color: var(--_bad); }
.spinner { display: inline-block; width: 1em; height: 1em; margin-right: .4em; vertical-align: -.15em;
           border: 2px solid currentColor; border-right-color: transparent; border-radius: 50%;
           animation: spin .8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 2.4s; } }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
                   clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;

export const publishActionsSheet = new CSSStyleSheet();
publishActionsSheet.replaceSync(CSS);
