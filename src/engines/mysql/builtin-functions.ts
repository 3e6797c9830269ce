/**
 * Names of MySQL/MariaDB built-in functions (from MariaDB 10.11's help tables, SELECT name FROM
 * mysql.help_topic, plus MySQL 8 additions), generated once. The classifier uses it to tell built-ins from
 * stored functions, whose effect it cannot see; side-effecting built-ins are listed in classify.ts.
 */
const NAMES =
  'abs acos add_months adddate addtime aes_decrypt aes_encrypt any_value area asbinary ascii asin astext aswkb ' +
  'aswkt atan atan2 auto_increment avg benchmark bigint bin bin_to_uuid binary binlog binlog_gtid_pos bit ' +
  'bit_and bit_count bit_length bit_or bit_xor blob bool boolean boundary buffer call cast ceil ceiling ' +
  'centroid char char_length character character_length charset chr clob close coalesce coercibility collation ' +
  'column_add column_check column_create column_delete column_exists column_get column_json column_list commit ' +
  'compress concat concat_ws connection_id constraint contains conv convert convert_tz convexhull cos cot count ' +
  'crc32 crc32c create crosses cume_dist curdate current_date current_role current_time current_timestamp ' +
  'current_user curtime database date date_add date_format date_sub datediff datetime day dayname dayofmonth ' +
  'dayofweek dayofyear dec decimal decode decode_histogram decode_oracle default degrees delete dense_rank ' +
  'des_decrypt des_encrypt describe dimension disjoint div do double dual elt encode encrypt endpoint enum ' +
  'envelope equals except exp explain export_set exteriorring extract extractvalue fetch field find_in_set ' +
  'first_value fixed float float4 float8 floor flush for format format_bytes format_pico_time found_rows ' +
  'from_base64 from_days from_unixtime geomcollfromtext geomcollfromwkb geometrycollection ' +
  'geometrycollectionfromtext geometrycollectionfromwkb geometryfromtext geometryfromwkb geometryn geometrytype ' +
  'geomfromtext geomfromwkb get_format get_lock glength goto grant greatest group_concat grouping handler hex ' +
  'hour icu_version if ifnull ignore in inet4 inet6 inet6_aton inet6_ntoa inet_aton inet_ntoa insert instr int ' +
  'int1 int2 int3 int4 int8 integer interiorringn intersect intersects interval is is_free_lock is_ipv4 ' +
  'is_ipv4_compat is_ipv4_mapped is_ipv6 is_used_lock is_uuid isclosed isempty isnull isring issimple iterate ' +
  'joins json_array json_array_append json_array_insert json_array_intersect json_arrayagg json_compact ' +
  'json_contains json_contains_path json_depth json_detailed json_equals json_exists json_extract json_insert ' +
  'json_key_value json_keys json_length json_loose json_merge json_merge_patch json_merge_preserve ' +
  'json_normalize json_object json_object_filter_keys json_object_to_array json_objectagg json_overlaps ' +
  'json_pretty json_query json_quote json_remove json_replace json_schema_valid json_schema_validation_report ' +
  'json_search json_set json_storage_free json_storage_size json_table json_type json_unquote json_valid ' +
  'json_value kdf kill labels lag last_day last_insert_id last_value lastval lcase lead least leave left length ' +
  'lengthb like limit linefromtext linefromwkb linestring linestringfromtext linestringfromwkb ln load_file ' +
  'localtime localtimestamp locate log log10 log2 longblob longtext loop lower lpad ltrim make_set makedate ' +
  'maketime master_gtid_wait master_pos_wait max mbrcontains mbrcoveredby mbrdisjoint mbrequal mbrintersects ' +
  'mbroverlaps mbrtouches mbrwithin md5 median mediumblob mediumint mediumtext mhnsw microsecond mid middleint ' +
  'min minus minute mlinefromtext mlinefromwkb mod month monthname months_between mpointfromtext mpointfromwkb ' +
  'mpolyfromtext mpolyfromwkb multilinestring multilinestringfromtext multilinestringfromwkb multipoint ' +
  'multipointfromtext multipointfromwkb multipolygon multipolygonfromtext multipolygonfromwkb mysql_json ' +
  'name_const natural_sort_key nchar nextval nosql now nth_value ntile nullif number numeric numgeometries ' +
  'numinteriorrings numpoints nvl nvl2 oct octet_length old_password old_value online_alter_log open ord ' +
  'overlaps parentheses password percent_rank percentile_cont percentile_disc period_add period_diff pi point ' +
  'pointfromtext pointfromwkb pointn pointonsurface polyfromtext polyfromwkb polygon polygonfromtext ' +
  'polygonfromwkb position pow power procedure ps_current_thread_id ps_thread_id quarter quote radians rand ' +
  'random_bytes rank raw real regexp regexp_instr regexp_like regexp_replace regexp_substr release_all_locks ' +
  'release_lock repeat replace reset resignal return reverse revoke right rlike roles_graphml rollback round ' +
  'row row_count row_number rownum rpad rtrim savepoint schema sec_to_time second select sequences serial ' +
  'serializable session_user set setval sformat sha sha1 sha2 shutdown sign signal sin sleep smallint soundex ' +
  'space sql_tsi_year sqlstate sqrt srid st_area st_asbinary st_asgeojson st_astext st_aswkb st_aswkt ' +
  'st_boundary st_buffer st_centroid st_collect st_contains st_convexhull st_crosses st_difference st_dimension ' +
  'st_disjoint st_distance st_distance_sphere st_endpoint st_envelope st_equals st_exteriorring st_geohash ' +
  'st_geomcollfromtext st_geomcollfromwkb st_geometrycollectionfromtext st_geometrycollectionfromwkb ' +
  'st_geometryfromtext st_geometryfromwkb st_geometryn st_geometrytype st_geomfromgeojson st_geomfromtext ' +
  'st_geomfromwkb st_interiorringn st_intersection st_intersects st_isclosed st_isempty st_isring st_issimple ' +
  'st_isvalid st_latfromgeohash st_length st_linefromtext st_linefromwkb st_linestringfromtext ' +
  'st_linestringfromwkb st_longfromgeohash st_mlinefromtext st_mpointfromtext st_mpointfromwkb st_mpolyfromtext ' +
  'st_mpolyfromwkb st_multilinestringfromtext st_multipointfromtext st_multipointfromwkb ' +
  'st_multipolygonfromtext st_multipolygonfromwkb st_numgeometries st_numinteriorrings st_numpoints st_overlaps ' +
  'st_pointfromgeohash st_pointfromtext st_pointfromwkb st_pointn st_pointonsurface st_polyfromtext ' +
  'st_polyfromwkb st_polygonfromtext st_polygonfromwkb st_relate st_simplify st_srid st_startpoint ' +
  'st_symdifference st_touches st_union st_validate st_within st_x st_y startpoint statement_digest ' +
  'statement_digest_text std stddev stddev_pop stddev_samp str_to_date strcmp subdate subqueries substr ' +
  'substring substring_index subtime sum sys_guid sysdate system_user tan text time time_format time_to_sec ' +
  'timediff timestamp timestampadd timestampdiff tinyblob tinyint tinytext to_base64 to_char to_date to_days ' +
  'to_number to_seconds touches trim trim_oracle trunc truncate ucase uncompress uncompressed_length unhex ' +
  'unicode union unix_timestamp update updatexml upper user utc_date utc_time utc_timestamp uuid uuid_short ' +
  'uuid_to_bin uuid_v4 uuid_v7 validate_password_strength var_pop var_samp varbinary varchar varchar2 ' +
  'varcharacter variance vec_distance vec_distance_cosine vec_distance_euclidean vec_fromtext vec_totext vector ' +
  'vectors version week weekday weekofyear weight_string while with within wsrep_last_seen_gtid ' +
  'wsrep_last_written_gtid wsrep_provider wsrep_sync_wait_upto_gtid x xmltype xor y year yearweek';

export const MYSQL_BUILTIN_FUNCTIONS: ReadonlySet<string> = new Set(NAMES.split(' '));
