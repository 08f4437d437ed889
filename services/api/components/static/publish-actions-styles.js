// The publish component's look, adopted by its shadow root as a constructed stylesheet: a page's
// own CSS cannot reach in, and a page whose Content-Security-Policy forbids inline styles (the
// console's does) still applies it. Pages theme it through the --jobpub-* custom properties,
// which do cross the shadow boundary, and through ::part(button), ::part(status), ::part(group).

const CSS = `
:host { display: block; font: var(--jobpub-font, inherit); color: var(--jobpub-ink, inherit);
        --accent: var(--jobpub-accent, #0a66c2); --on-accent: var(--jobpub-on-accent, #fff);
        --ok: var(--jobpub-success, #1a7f37); --bad: var(--jobpub-danger, #b42318);
        --radius: var(--jobpub-radius, .35rem); --focus: var(--jobpub-focus, #ff9f1a); }
:host([hidden]) { display: none; }
.group { display: flex; flex-wrap: wrap; gap: var(--jobpub-gap, .5rem); }
button { font: inherit; cursor: pointer; border: 1px solid var(--accent); border-radius: var(--radius);
         background: var(--accent); color: var(--on-accent); line-height: 1.25;
         font-size: 1rem; padding: .45rem .8rem; min-height: 2.5rem; }
button[hidden] { display: none; }
button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
button[aria-disabled="true"] { opacity: .6; cursor: not-allowed; }
button[aria-busy="true"] { cursor: progress; }
:host([variant="outline"]) button { background: transparent; color: var(--accent); }
:host([variant="ghost"]) button { background: transparent; color: var(--accent); border-color: transparent; }
:host([size="sm"]) button { font-size: .8125rem; padding: .2rem .55rem; min-height: 1.9rem; }
:host([size="lg"]) button { font-size: 1.125rem; padding: .65rem 1.2rem; min-height: 3.1rem; }
button.is-success { background: var(--ok); border-color: var(--ok); color: #fff; }
button.is-error { background: var(--bad); border-color: var(--bad); color: #fff; }
.status { margin: .35rem 0 0; font-size: .875em; min-height: 0; overflow-wrap: anywhere; }
.status:empty { margin: 0; } /* kept in the accessibility tree: a live region must exist before it speaks */
.status[data-kind="error"] { color: var(--bad); }
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
