/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "ts-application.h"
#include "ts-settings.h"
#include "ts-uninstalled.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TsApplication) app = NULL;

  ts_init_i18n ();
  ts_settings_prepare ();

  app = ts_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
