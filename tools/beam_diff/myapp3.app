{application, myapp3, [{description, ""}, {vsn, "1"}, {mod, {app3, []}}, {env, [{mode, dev}, {level, 1}]}, {modules, [app3]}, {registered, []}, {applications, [kernel, stdlib]}]}.
