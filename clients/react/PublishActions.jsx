import { useEffect, useRef } from "react";

export function PublishActions({ jobId, getApiKey, onPublishSuccess }) {
  const ref = useRef(null);
  useEffect(() => {
    const element = ref.current;
    element.getApiKey = getApiKey; // a property: the key never reaches the HTML
    const published = (event) => onPublishSuccess(event.detail.jobId, event.detail.platform);
    element.addEventListener("publish-success", published);
    return () => element.removeEventListener("publish-success", published);
  }, [getApiKey, onPublishSuccess]);
  return <jobpub-publish-actions ref={ref} job-id={jobId} size="sm" variant="outline" api-base="/jobpub/" />;
}
