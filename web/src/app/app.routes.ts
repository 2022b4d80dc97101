import type { Routes } from '@angular/router';

export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'sales' },
  {
    path: 'sales',
    title: 'Sales · Flash sale',
    loadComponent: () => import('./sales/sales-list').then((m) => m.SalesList),
  },
  {
    path: 'sales/:name',
    title: 'Sale · Flash sale',
    loadComponent: () => import('./sale-detail/sale-detail').then((m) => m.SaleDetail),
  },
  {
    path: 'sign-in',
    title: 'Sign in · Flash sale',
    loadComponent: () => import('./auth/sign-in').then((m) => m.SignIn),
  },
  {
    path: 'purchases',
    title: 'My purchases · Flash sale',
    loadComponent: () => import('./purchases/my-purchases').then((m) => m.MyPurchases),
  },
  { path: '**', redirectTo: 'sales' },
];
