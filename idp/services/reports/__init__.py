"""What admins see at a glance, within their scope: the dashboard (管理首頁) and the
sign-in logs (人員登入紀錄, 子系統登入查詢)."""
