-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Generated tickets for measuring search: bench/search-bench.sh runs it at
-- 1,000,000 tickets, tests/test-search-db.c at a few thousand, to see the
-- plans of realistic data.  Defines, for this session only,
--
--   pg_temp.ts_generate_tickets(p_project text, p_count int)
--
-- which adds p_count tickets after the project's highest number (the
-- project must have the fields of tests/data/search.json's project:
-- summary, detail, issue_level, customer_type, class_1..3, buglist_url,
-- improvement_url, device_count, occurred_on, recurring, issue_se,
-- release_notes, and its four states), with the history rows of the states
-- they went through, and a save for every other one.  Everything is a
-- function of the ticket's number (no random()), so two runs give the same
-- data.  Run it as a superuser: it writes the tables directly, with the
-- times it chooses (history's trigger that dates rows is off meanwhile),
-- without the change feed's triggers, and writes ticket_texts in one go.
-- Summaries read like the seed's: 【20180102】北京局点服务器硬盘故障.
--
--   pg_temp.ts_generate_round_trips(p_project text)
--
-- then sends 11 in 16 of the project's tickets that went on to the third
-- state back once from the second state to the first (打回补充信息) and
-- up again (提交审核), between the two: some 1.1 history rows more a
-- ticket, 5.0 in all, as the statistics' benchmark wants (the first makes
-- 3.9).  Run it once, after the tickets.

CREATE FUNCTION pg_temp.ts_generate_tickets(p_project text, p_count int) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
  v_prefix text;
  v_states text[];
  v_first int;
BEGIN
  SELECT key_prefix, states INTO v_prefix, v_states FROM tasksteper.projects WHERE name = p_project;
  IF v_prefix IS NULL OR cardinality(v_states) <> 4 THEN
    RAISE EXCEPTION 'project % is not like the one of tests/data/search.json', p_project;
  END IF;
  SELECT coalesce(max(number), 0) + 1 INTO v_first FROM tasksteper.tickets WHERE project = p_project;

  ALTER TABLE tasksteper.tickets DISABLE TRIGGER tickets_created;
  ALTER TABLE tasksteper.tickets DISABLE TRIGGER tickets_text;
  ALTER TABLE tasksteper.history DISABLE TRIGGER history_dated;

  INSERT INTO tasksteper.tickets (project, number, key, state, assigned_to, created_by, created_at, updated_at,
                                  version, is_final, fields)
  SELECT p_project, g, v_prefix || '_' || g, v_states[s.state], 'user_' || (h1 % 50), 'user_' || (h2 % 50),
         x.created, x.created + make_interval(hours => (h3 % 720)::int), 1 + (h4 % 9)::int, s.state = 4,
         jsonb_strip_nulls(jsonb_build_object(
           'summary', format('【%s】%s局点%s%s', to_char(x.created, 'YYYYMMDD'), c.city, d.device, p.problem),
           'detail', format('%s局点%s台%s于%s出现%s，%s。%s', c.city, 1 + h5 % 40, d.device,
                            to_char(x.created, 'YYYY-MM-DD'), p.problem, e.extra, f.extra),
           'issue_level', (ARRAY['一般问题', '一般问题', '一般问题', '一般问题', '一般问题', '一般问题',
                                 '严重问题', '严重问题', '严重问题', '紧急问题'])[1 + h6 % 10],
           'customer_type', (ARRAY['金融', '电网', '运营商', '政府', '互联网', '企业', '其他'])[1 + h7 % 7],
           'class_1', p.class_1,
           'class_2', p.class_2,
           'class_3', CASE WHEN h8 % 3 = 0 THEN (ARRAY['线缆', '硬件', '固件', 'BIOS', 'BMC', '操作系统', '驱动',
                                                      '存储', '网络', '管理软件', '工程', '其他'])[1 + h8 % 12] END,
           'buglist_url', CASE WHEN h9 % 5 = 0 THEN 'https://bugs.example.com/show_bug.cgi?id=' || (100000 + g) END,
           'improvement_url', CASE WHEN s.state = 4 AND h9 % 3 = 0 THEN 'tasksteper://improvement/' || g END,
           'device_count', (h5 % 200)::int,
           'occurred_on', to_char(x.created - make_interval(days => (h3 % 3)::int), 'YYYY-MM-DD'),
           'recurring', h1 % 3 = 0,
           'issue_se', CASE WHEN s.state >= 3 THEN 'user_' || (h8 % 50) END,
           'release_notes', CASE WHEN s.state = 4 AND h6 % 2 = 0 THEN format('修复%s局点%s', c.city, p.problem) END))
    FROM generate_series(v_first, v_first + p_count - 1) g,
         LATERAL (SELECT abs(hashint8(g::bigint * 1)) AS h1, abs(hashint8(g::bigint * 2)) AS h2,
                         abs(hashint8(g::bigint * 3)) AS h3, abs(hashint8(g::bigint * 5)) AS h4,
                         abs(hashint8(g::bigint * 7)) AS h5, abs(hashint8(g::bigint * 11)) AS h6,
                         abs(hashint8(g::bigint * 13)) AS h7, abs(hashint8(g::bigint * 17)) AS h8,
                         abs(hashint8(g::bigint * 19)) AS h9, abs(hashint8(g::bigint * 23)) AS h10) r,
         -- Nine years, in the order of the numbers.
         LATERAL (SELECT timestamptz '2015-01-01 08:00+08'
                         + make_interval(secs => (g - v_first)::float8 / p_count * 9 * 365 * 86400)
                         + make_interval(mins => (h10 % 600)::int) AS created) x,
         -- 70% closed, 10% in each other state.
         LATERAL (SELECT CASE WHEN h4 % 10 < 7 THEN 4 ELSE 1 + (h4 % 10) - 7 END AS state) s,
         LATERAL (SELECT (ARRAY['北京', '上海', '广州', '深圳', '成都', '杭州', '南京', '武汉', '西安', '重庆',
                                '天津', '苏州', '长沙', '郑州', '沈阳', '青岛', '济南', '哈尔滨', '昆明', '大连',
                                '厦门', '福州', '合肥', '南昌', '贵阳', '南宁', '太原', '石家庄', '兰州', '乌鲁木齐',
                                '呼和浩特', '银川', '西宁', '拉萨', '海口', '无锡', '宁波', '佛山', '东莞', '珠海'])[1 + h1 % 40]
                           AS city) c,
         LATERAL (SELECT (ARRAY['服务器', '交换机', '存储阵列', '路由器', '防火墙', '负载均衡器', '刀片框',
                                '机柜', '光模块', '磁带库'])[1 + h2 % 10] AS device) d,
         LATERAL (SELECT v.* FROM (VALUES (0, '硬盘故障', '硬件', '硬盘'), (1, '硬盘亮红灯', '硬件', '硬盘'),
                                          (2, '网卡丢包', '硬件', '网卡'), (3, '电源模块告警', '硬件', '电源'),
                                          (4, '内存ECC错误', '硬件', '内存'), (5, '风扇噪音', '硬件', '风扇'),
                                          (6, '主板无法上电', '硬件', '主板'), (7, 'BMC无法登录', '软件', '管理软件'),
                                          (8, '固件升级失败', '软件', '固件'), (9, '控制器重启', '软件', '固件'),
                                          (10, '操作系统崩溃', '软件', '操作系统'), (11, '驱动加载异常', '软件', '驱动'),
                                          (12, '线缆松动', '结构', '线缆'), (13, '配置丢失', '配置', '其他'),
                                          (14, '误删除卷', '误操作', '其他')) v(i, problem, class_1, class_2)
                   WHERE v.i = h3 % 15) p,
         LATERAL (SELECT (ARRAY['已更换备件，观察中', 'RAID 降级，已重建', '客户要求尽快给出根因', '现场工程师已到达',
                                '需要研发分析日志', '已升级到最新版本', '问题无法复现', '与网络割接有关'])[1 + h6 % 8]
                           AS extra) e,
         LATERAL (SELECT (ARRAY['', '', '', 'Beijing backup link also affected.', 'Log shows PSU2 fault.',
                                'Customer ticket #' || (h7 % 90000 + 10000) || '.', 'See the attached sosreport.',
                                '已同步给产品线。'])[1 + h8 % 8] AS extra) f;

  -- The states each ticket went through, from its creation; every other
  -- ticket also had a save (which enters no state).
  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  SELECT t.id, t.project, st.at, t.created_by, st.trigger, st.from_state, st.to_state,
         t.created_by, t.assigned_to, '{}'
    FROM tasksteper.tickets t
         CROSS JOIN LATERAL (VALUES
           (1, NULL::text, v_states[1], t.created_at, NULL::text),
           (1, v_states[1], v_states[1], t.created_at + interval '1 hour', NULL),
           (2, v_states[1], v_states[2], t.created_at + (t.updated_at - t.created_at) / 4, '提交审核'),
           (3, v_states[2], v_states[3], t.created_at + (t.updated_at - t.created_at) / 2, '转SE分析改进'),
           (4, v_states[3], v_states[4], t.updated_at, '问题关闭')) AS st(step, from_state, to_state, at, trigger)
   WHERE t.project = p_project AND t.number >= v_first
     AND st.step <= array_position(v_states, t.state)
     AND (st.step > 1 OR st.from_state IS NULL OR t.number % 2 = 0)
   ORDER BY t.id, st.at;

  -- The search text, at once rather than a ticket at a time (the trigger's work).
  INSERT INTO tasksteper.ticket_texts (ticket_id, project, text)
  SELECT t.id, t.project, tasksteper.search_text(t.key, t.fields)
    FROM tasksteper.tickets t
   WHERE t.project = p_project AND t.number >= v_first;

  ALTER TABLE tasksteper.history ENABLE ALWAYS TRIGGER history_dated;
  ALTER TABLE tasksteper.tickets ENABLE TRIGGER tickets_text;
  ALTER TABLE tasksteper.tickets ENABLE TRIGGER tickets_created;

  -- create_ticket() numbers on from there.
  PERFORM setval(x.number_sequence, v_first + p_count, false) FROM tasksteper.projects x WHERE x.name = p_project;
END
$gen$;

CREATE FUNCTION pg_temp.ts_generate_round_trips(p_project text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $gen$
DECLARE
  v_states text[];
BEGIN
  SELECT states INTO v_states FROM tasksteper.projects WHERE name = p_project;
  ALTER TABLE tasksteper.history DISABLE TRIGGER history_dated;

  INSERT INTO tasksteper.history (ticket_id, project, at, actor, trigger, from_state, to_state,
                                  from_assignee, to_assignee, changes)
  SELECT t.id, t.project, st.at, t.created_by, st.trigger, st.from_state, st.to_state,
         t.assigned_to, t.assigned_to, '{}'
    FROM tasksteper.tickets t
         CROSS JOIN LATERAL (VALUES
           (v_states[2], v_states[1], t.created_at + (t.updated_at - t.created_at) * 0.3, '打回补充信息'),
           (v_states[1], v_states[2], t.created_at + (t.updated_at - t.created_at) * 0.4, '提交审核'))
           AS st(from_state, to_state, at, trigger)
   WHERE t.project = p_project AND array_position(v_states, t.state) >= 3
     AND abs(hashint8(t.number::bigint * 29)) % 16 < 11
   ORDER BY t.id, st.at;

  ALTER TABLE tasksteper.history ENABLE ALWAYS TRIGGER history_dated;
END
$gen$;
