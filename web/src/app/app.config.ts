import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import {
  type ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { apiBaseUrlInterceptor } from './core/api-base-url.interceptor';
import { APP_CONFIG, type AppConfig } from './core/app-config';
import { bearerTokenInterceptor } from './core/bearer-token.interceptor';

export function appConfig(config: AppConfig): ApplicationConfig {
  return {
    providers: [
      { provide: APP_CONFIG, useValue: config },
      provideBrowserGlobalErrorListeners(),
      provideZonelessChangeDetection(),
      provideRouter(routes, withComponentInputBinding()),
      provideHttpClient(
        withFetch(),
        withInterceptors([apiBaseUrlInterceptor, bearerTokenInterceptor]),
      ),
    ],
  };
}
