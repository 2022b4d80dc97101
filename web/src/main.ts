import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';
import { loadAppConfig } from './app/core/app-config';

// The API base URL and the sign-in mode come from config.json at start-up, so one build
// serves every environment: a deployment replaces that file, never the bundle.
loadAppConfig()
  .then((config) => bootstrapApplication(App, appConfig(config)))
  .catch((error: unknown) => {
    console.error(error);
    const root = document.querySelector('fs-root');
    if (root)
      root.textContent =
        'The shop could not start: its configuration (config.json) is missing or invalid.';
  });
