use crate::helpers::{spawn_app, Backend};

async fn health_and_ready_need_no_key(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/health", "/ready"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

crate::on_both_backends!(health_and_ready_need_no_key);
