// The page the browser tests open: the README's <PublishActions> in a small React app, built once
// against React 19 and once against React 18 (test_react_wrapper.py bundles it with esbuild).
import { useCallback, useState, version } from "react";
import { createRoot } from "react-dom/client";
import { PublishActions } from "../PublishActions.jsx";

const jobId = Number(new URLSearchParams(location.search).get("job"));
window.successes = [];

function App() {
  const [renders, setRenders] = useState(0);
  const [shown, setShown] = useState(true);
  // A new callback on every render, as an inline arrow in a parent would be: the wrapper must
  // swap its listener, never add a second one.
  const onPublishSuccess = (publishedJobId, platform) => window.successes.push([publishedJobId, platform, renders]);
  const getApiKey = useCallback(() => sessionStorage.getItem("jobpub-key"), []);
  return (
    <main>
      <h1>React {version}</h1>
      <button type="button" onClick={() => setRenders(renders + 1)}>
        Render again ({renders})
      </button>
      <button type="button" onClick={() => setShown(!shown)}>
        {shown ? "Hide the buttons" : "Show the buttons"}
      </button>
      {shown && <PublishActions jobId={jobId} getApiKey={getApiKey} onPublishSuccess={onPublishSuccess} />}
    </main>
  );
}

createRoot(document.getElementById("root")).render(<App />);
