// Direct uploads to the private store: the API signs a POST (url + policy fields), the browser
// posts the fields then the file; the Lambda never carries the bytes (docs/files.md).

/** A presigned POST as the API answers it (DepotPresigne). */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

/**
 * Posts file to a presigned POST: its fields first, then the file (field "file", last, as S3
 * requires). onProgress gets the fraction sent (0..1); XMLHttpRequest, since fetch does not
 * report upload progress. A refusal (policy, size) is an Error in French.
 */
export function uploadPresigned(depot: PresignedPost, file: Blob, onProgress?: (fraction: number) => void): Promise<void> {
  const form = new FormData();
  for (const [k, v] of Object.entries(depot.fields)) form.append(k, v);
  form.append("file", file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", depot.url);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve();
      } else if (xhr.status === 400 && /EntityTooLarge/.test(xhr.responseText)) {
        reject(new Error("Le fichier est trop volumineux pour le dépôt."));
      } else {
        reject(new Error("Le dépôt du fichier a échoué (" + xhr.status + ")."));
      }
    };
    xhr.onerror = () => reject(new Error("Le dépôt du fichier a échoué : le réseau ne répond pas."));
    xhr.send(form);
  });
}
